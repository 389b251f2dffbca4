package io.ocore.backups.securitysuite;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Another organisation's user, with every permission an organisation user can hold, aims at each
 * resource type of the demo organisation by id: 404 for reads and writes alike, and the demo's
 * resource is as it was (the demo's own token reads it before and after).
 */
final class CrossOrgProbes {

    private final Suite s;
    private final String other;
    private final String demo;

    private CrossOrgProbes(Suite s) {
        this.s = s;
        this.other = s.token(Suite.OTHER_ORG, Suite.ORG_USER.toArray(String[]::new));
        this.demo = s.demoToken();
    }

    static void run(Suite s, DemoFixture.Demo fixture) {
        new CrossOrgProbes(s).all(fixture);
    }

    private void all(DemoFixture.Demo fixture) {
        Report report = s.report();
        report.heading("another organisation (" + Suite.OTHER_ORG + ", " + String.join(",", Suite.ORG_USER) + ") gets 404 for the demo's resources");
        String env = "/api/environments/" + s.demoEnv();
        String dest = "/api/backup-destinations/" + s.demoDestination();

        JsonNode destBefore = destinationShape(s.gateway().get(dest, demo).json());
        notFound("destination GET", "GET", dest, null);
        notFound("destination PUT", "PUT", dest, Map.of("name", "taken over", "destinationType", "local",
                "config", Map.of("path", destBefore.path("config").path("path").asText("/tmp"))));
        notFound("destination POST .../test", "POST", dest + "/test", null);
        notFound("destination DELETE", "DELETE", dest, null);
        JsonNode destAfter = destinationShape(s.gateway().get(dest, demo).json());
        report.check(destBefore.equals(destAfter) && !destAfter.isMissingNode(), "the demo destination is unchanged after them",
                destAfter.toString());

        notFound("environment GET", "GET", env, null);

        Set<String> backupsBefore = ids(s.gateway().get(env + "/backups?limit=200", demo).json());
        notFound("backups list GET", "GET", env + "/backups", null);
        notFound("backups create POST", "POST", env + "/backups",
                Map.of("backupType", "db", "destinationIds", List.of(s.demoDestination().toString())));
        Set<String> backupsAfter = ids(s.gateway().get(env + "/backups?limit=200", demo).json());
        backupsAfter.removeAll(backupsBefore);
        report.check(backupsAfter.isEmpty(), "no backup of the demo environment was created by it", "new: " + backupsAfter);

        notFound("snapshots GET", "GET", env + "/snapshots", null);

        Set<String> restoresBefore = ids(s.gateway().get(env + "/restores?limit=200", demo).json());
        if (fixture.backup().isPresent()) {
            String backup = "/api/backups/" + fixture.backup().get();
            notFound("backup GET", "GET", backup, null);
            notFound("backup DELETE", "DELETE", backup, null);
            notFound("backup POST .../restore", "POST", backup + "/restore", Map.of("targetType", "same", "confirm", "demo"));
            notFound("backup GET .../components/database", "GET", backup + "/components/database", null);
            notFound("backup GET .../pitr-range", "GET", backup + "/pitr-range", null);
            String status = s.gateway().get(backup, demo).json().path("status").asText("missing");
            report.check(status.equals("completed"), "the demo backup is still completed after them", status);
        } else {
            report.check(false, "backup probes (GET, DELETE, restore, components, pitr-range)", "no demo backup to aim at");
        }

        JsonNode scheduleBefore = scheduleShape(s.gateway().get(env + "/backup-schedule", demo).json());
        notFound("backup-schedule GET", "GET", env + "/backup-schedule", null);
        notFound("backup-schedule PUT", "PUT", env + "/backup-schedule", Map.of("enabled", false, "dbFrequency", "hourly",
                "fullFrequency", "weekly", "retainHourly", 1, "retainDaily", 1, "retainWeekly", 0, "retainMonthly", 0,
                "walEnabled", false, "walRetentionDays", 1, "destinationIds", List.of()));
        JsonNode scheduleAfter = scheduleShape(s.gateway().get(env + "/backup-schedule", demo).json());
        report.check(scheduleBefore.equals(scheduleAfter), "the demo schedule is unchanged after them", scheduleAfter.toString());
        notFound("retention-preview GET", "GET", env + "/backup-schedule/retention-preview", null);

        if (fixture.restore().isPresent()) {
            String restore = "/api/restores/" + fixture.restore().get();
            notFound("restore GET", "GET", restore, null);
            notFound("restore GET .../logs", "GET", restore + "/logs", null);
        }
        notFound("restore history GET", "GET", env + "/restores", null);

        notFound("neutralize POST", "POST", env + "/neutralize", Map.of("confirm", "demo"));
        Set<String> restoresAfter = ids(s.gateway().get(env + "/restores?limit=200", demo).json());
        restoresAfter.removeAll(restoresBefore);
        report.check(restoresAfter.isEmpty(), "no restore or neutralization of the demo environment was started by them",
                "new: " + restoresAfter);

        if (fixture.alert().isPresent()) {
            String alert = "/api/backup-alerts/" + fixture.alert().get();
            boolean readBefore = s.gateway().get(alert, demo).json().path("isRead").asBoolean();
            notFound("alert GET", "GET", alert, null);
            notFound("alert POST .../read", "POST", alert + "/read", null);
            boolean readAfter = s.gateway().get(alert, demo).json().path("isRead").asBoolean();
            report.check(readBefore == readAfter, "the demo alert's isRead is unchanged after it", "isRead " + readBefore + " -> " + readAfter);
        } else {
            report.check(false, "alert probes (GET, POST .../read)", "no demo alert to aim at");
        }

        notFound("wal-coverage GET", "GET", env + "/wal-coverage", null);
        notFound("wal-config GET", "GET", env + "/wal-config", null);

        report.heading("another organisation's lists hold nothing of the demo's");
        listHolds("GET /api/backup-destinations", "/api/backup-destinations", s.demoDestination().toString());
        listHolds("GET /api/environments", "/api/environments", s.demoEnv().toString());
        listHolds("GET /api/backup-alerts?environmentId={demo}", "/api/backup-alerts?environmentId=" + s.demoEnv(),
                s.demoEnv().toString());
    }

    private void notFound(String what, String method, String path, Object body) {
        Api.Answer a = s.gateway().send(method, path, other, body);
        s.report().check(a.status() == 404, "other org: " + what + " -> 404", a.seen());
    }

    /** A list answer (200) must not mention the demo's id; a 4xx holds nothing either. */
    private void listHolds(String what, String path, String demoId) {
        Api.Answer a = s.gateway().get(path, other);
        boolean ok = a.status() / 100 == 4 || (a.status() == 200 && !a.body().contains(demoId));
        s.report().check(ok, "other org: " + what + " does not show the demo's " + demoId, a.status()
                + (a.status() == 200 ? ", " + a.json().path("items").size() + " items" : ""));
    }

    private static JsonNode destinationShape(JsonNode d) {
        if (d.isMissingNode() || !d.has("id")) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        return Api.JSON.createObjectNode().put("name", d.path("name").asText())
                .put("destinationType", d.path("destinationType").asText())
                .set("config", d.path("config"));
    }

    private static JsonNode scheduleShape(JsonNode schedule) {
        var shape = Api.JSON.createObjectNode();
        for (String field : List.of("enabled", "dbFrequency", "fullFrequency", "retainHourly", "retainDaily", "retainWeekly",
                "retainMonthly", "walEnabled", "walRetentionDays", "destinationIds")) {
            shape.set(field, schedule.path(field).isMissingNode() ? Api.JSON.nullNode() : schedule.path(field));
        }
        return shape;
    }

    private static Set<String> ids(JsonNode page) {
        Set<String> ids = new HashSet<>();
        List<JsonNode> items = new ArrayList<>();
        page.path("items").forEach(items::add);
        items.forEach(i -> ids.add(i.path("id").asText()));
        return ids;
    }
}
