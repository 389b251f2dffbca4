package io.ocore.backups.securitysuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The refusals issue 10 asks for, each probed the way a user of the local stack would try it. */
final class RefusalProbes {

    private static final Duration JOB_DEADLINE = Duration.ofMinutes(3);
    private static final Set<String> SERVICE_NAMES = Set.of("destination", "backup", "scheduler", "restore", "alert", "wal",
            "wal-archiver", "gateway");

    private final Suite s;
    private final Report report;
    private final String demo;

    private RefusalProbes(Suite s) {
        this.s = s;
        this.report = s.report();
        this.demo = s.demoToken();
    }

    static void run(Suite s, DemoFixture.Demo fixture) {
        RefusalProbes p = new RefusalProbes(s);
        p.environments();
        p.destinations();
        p.publicPort();
        p.production(fixture);
    }

    /** A registration body like the demo's own (its database, its paths), so only the field under test is wrong. */
    private ObjectNode registration(String name) {
        JsonNode env = s.gateway().get("/api/environments/" + s.demoEnv(), demo).json();
        ObjectNode body = Api.JSON.createObjectNode();
        body.put("name", name);
        body.put("projectId", env.path("projectId").asText());
        body.put("environmentType", "development");
        ObjectNode db = body.putObject("database");
        db.put("host", env.path("database").path("host").asText("127.0.0.1"));
        db.put("port", env.path("database").path("port").asInt(15433));
        db.put("name", env.path("database").path("name").asText("odoo_demo"));
        db.put("user", env.path("database").path("user").asText("odoo"));
        db.put("password", "odoo");
        body.put("filestorePath", env.path("filestorePath").asText());
        body.put("configPath", env.path("configPath").asText());
        return body;
    }

    private void environments() {
        report.heading("environments belong to the platform; paths and database servers are confined");
        Api.Answer a = s.gateway().send("POST", "/api/environments", demo, registration("security-suite-org-user"));
        report.check(a.status() == 403, "POST /api/environments with the demo org's ordinary token -> 403", a.seen());
        if (a.status() / 100 == 2) {
            report.note("it registered environment " + a.id() + " in the demo organisation (nothing can delete it through the API)");
        }

        String platform = s.token(s.demoOrg(), "manage:platform", "view:environments");
        Map<String, ObjectNode> bad = new LinkedHashMap<>();
        bad.put("configPath /proc/self/environ", registration("security-suite-proc").put("configPath", "/proc/self/environ"));
        bad.put("filestorePath /etc", registration("security-suite-etc").put("filestorePath", "/etc"));
        if (s.keysDir() != null) {
            bad.put("filestorePath " + s.keysDir() + " (the stack's keys)", registration("security-suite-keys").put("filestorePath", s.keysDir()));
        }
        ObjectNode metadata = registration("security-suite-metadata");
        ((ObjectNode) metadata.path("database")).put("host", "169.254.169.254").put("port", 5432);
        bad.put("database host 169.254.169.254", metadata);
        String[] own = s.servicesDatabase().split(":");
        ObjectNode services = registration("security-suite-services-db");
        ((ObjectNode) services.path("database")).put("host", own[0]).put("port", Integer.parseInt(own[1])).put("name", "ocore_backup")
                .put("user", "ocore").put("password", "ocore");
        bad.put("database " + s.servicesDatabase() + " (the services' own PostgreSQL)", services);
        Map<String, String> field = Map.of("configPath /proc/self/environ", "configPath");
        for (Map.Entry<String, ObjectNode> e : bad.entrySet()) {
            String expected = field.getOrDefault(e.getKey(), e.getKey().startsWith("filestorePath") ? "filestorePath" : "database.host");
            Api.Answer r = s.gateway().send("POST", "/api/environments", platform, e.getValue());
            report.check(r.status() == 400 && r.names(expected),
                    "POST /api/environments (manage:platform) with " + e.getKey() + " -> 400 naming " + expected, r.seen());
            if (r.status() / 100 == 2) {
                report.note("it registered environment " + r.id() + " (" + e.getKey() + ")");
            }
        }
    }

    private void destinations() {
        report.heading("destinations: secrets pinned to their endpoint, SFTP hosts guarded");
        Api.Answer created = s.gateway().send("POST", "/api/backup-destinations", demo, Map.of("name", "security-suite s3",
                "destinationType", "s3_compatible", "config", Map.of("bucket", "security-suite", "region", "us-east-1",
                        "accessKeyId", "security-suite-key", "secretAccessKey", "security-suite-not-a-secret",
                        "endpoint", "http://127.0.0.1:9")));
        if (!report.check(created.status() == 201, "setup: an s3_compatible destination at a loopback endpoint is created", created.seen())) {
            internalWithUserToken(s.demoDestination().toString());
            return;
        }
        String path = "/api/backup-destinations/" + created.id();
        try {
            JsonNode shown = s.gateway().get(path, demo).json();
            ObjectNode put = Api.JSON.createObjectNode();
            put.put("name", shown.path("name").asText());
            put.put("destinationType", "s3_compatible");
            ObjectNode config = shown.path("config").deepCopy();
            config.put("endpoint", "http://127.0.0.2:9");
            put.set("config", config);
            Api.Answer moved = s.gateway().send("PUT", path, demo, put);
            report.check(moved.status() == 400 && moved.names("config.secretAccessKey"),
                    "PUT moving its endpoint with the secret left masked -> 400 naming config.secretAccessKey", moved.seen());
            String endpoint = s.gateway().get(path, demo).json().path("config").path("endpoint").asText();
            report.check(endpoint.equals("http://127.0.0.1:9"), "a GET afterwards shows the old endpoint", endpoint);
            internalWithUserToken(created.id());
        } finally {
            s.gateway().send("DELETE", path, demo, null);
        }

        Api.Answer sftp = s.gateway().send("POST", "/api/backup-destinations", demo, Map.of("name", "security-suite metadata",
                "destinationType", "sftp", "config", Map.of("host", "169.254.169.254", "port", 22, "username", "backup",
                        "password", "security-suite-not-a-secret", "path", "/backups")));
        report.check(sftp.status() == 400 && sftp.names("config.host"), "an sftp destination with host 169.254.169.254 -> 400 naming config.host",
                sftp.seen());
        if (sftp.status() == 201) {
            s.gateway().send("DELETE", "/api/backup-destinations/" + sftp.id(), demo, null);
        }
    }

    private void internalWithUserToken(String destinationId) {
        Api destination = s.services().get("destination");
        if (destination == null) {
            report.check(false, "destination-service /internal/destinations/{id} with a user token", "no --service destination=URL given");
            return;
        }
        String token = s.token(s.demoOrg(), "internal:service", "manage:org_settings", "manage:environments", "view:environments");
        Api.Answer a = destination.get("/internal/destinations/" + destinationId + "?orgId=" + s.demoOrg(), token);
        report.check(a.status() == 401 || a.status() == 403,
                "destination-service " + destination.base() + " /internal/destinations/{id} with a user token carrying internal:service -> 401 or 403",
                a.seen() + (a.status() == 200 && a.body().contains("security-suite-not-a-secret") ? ", with the secret in clear" : ""));
        if (s.serviceKey() != null) {
            // the control: the endpoint does answer a service, so the refusal above is about the token
            Api.Answer service = destination.get("/internal/destinations/" + destinationId + "?orgId=" + s.demoOrg(),
                    Tokens.service(s.serviceKey()));
            report.check(service.status() == 200, "the same request with a service token -> 200", service.seen());
        }
    }

    private void publicPort() {
        report.heading("the gateway's public port serves the API, the dashboard, OpenAPI and a summary /health only");
        for (String path : List.of("/q/metrics", "/q/health", "/q/health/ready", "/health/backup/ready",
                "/internal/destinations/" + s.demoDestination())) {
            Api.Answer a = s.gateway().get(path, null);
            report.check(a.status() == 404, "GET " + path.replace(s.demoDestination().toString(), "{id}") + " on the public port -> 404",
                    a.seen());
        }
        Api.Answer health = s.gateway().get("/health", null);
        Optional<String> detail = perServiceDetail(health.json());
        report.check(health.status() == 200 && detail.isEmpty(), "GET /health -> 200 with no per-service details",
                health.status() + detail.map(d -> ", names " + d).orElse(""));
    }

    /** The first member of the health answer that names a service or carries nested details. */
    static Optional<String> perServiceDetail(JsonNode health) {
        for (Iterator<Map.Entry<String, JsonNode>> it = health.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            if (SERVICE_NAMES.contains(member.getKey()) || member.getValue().isContainerNode()) {
                return Optional.of(member.getKey());
            }
        }
        return Optional.empty();
    }

    private void production(DemoFixture.Demo fixture) {
        report.heading("intent for destructive actions on production (the demo environment is production)");
        String env = "/api/environments/" + s.demoEnv();
        if (fixture.backup().isPresent()) {
            Api.Answer a = s.gateway().send("POST", "/api/backups/" + fixture.backup().get() + "/restore", demo,
                    Map.of("targetType", "same"));
            report.check(a.status() == 400 && a.names("confirm"), "restore onto the demo environment (same) without confirm -> 400 naming confirm",
                    a.seen());
            awaitIfStarted(a);
        } else {
            report.check(false, "restore onto the demo environment without confirm", "no demo backup to restore");
        }
        Api.Answer n = s.gateway().send("POST", env + "/neutralize", demo, Map.of());
        report.check(n.status() == 400, "POST /api/environments/{demo}/neutralize without confirm -> 400", n.seen());
        awaitIfStarted(n);
    }

    /** A refusal that was not one started a job on the demo: let it end before anything else runs. */
    private void awaitIfStarted(Api.Answer a) {
        if (a.status() != 202) {
            return;
        }
        String id = a.json().path("restoreId").asText(a.id());
        report.note("it started restore job " + id + " on the demo environment; waiting for it to end");
        Optional<String> end = DemoFixture.poll(JOB_DEADLINE, () -> {
            String status = s.gateway().get("/api/restores/" + id, demo).json().path("status").asText();
            return status.equals("completed") || status.equals("failed") ? status : null;
        });
        report.note("restore job " + id + ": " + end.orElse("still running after " + JOB_DEADLINE.toSeconds() + " s"));
    }
}
