package io.ocore.backups.securitysuite;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The demo-organisation resources the probes aim at: created (or found) through the gateway first. */
final class DemoFixture {

    private static final Duration BACKUP_DEADLINE = Duration.ofMinutes(3);
    private static final Duration ALERT_DEADLINE = Duration.ofSeconds(60);

    /** @param backup a completed db backup of the demo environment, or empty when none could be made */
    record Demo(Optional<String> backup, Optional<String> restore, Optional<String> alert) {
    }

    private DemoFixture() {
    }

    static Demo prepare(Suite s) {
        Report report = s.report();
        report.heading("demo-organisation resources for the probes");
        String token = s.demoToken();
        Api.Answer created = s.gateway().send("POST", "/api/environments/" + s.demoEnv() + "/backups", token,
                Map.of("backupType", "db", "destinationIds", List.of(s.demoDestination().toString())));
        Optional<String> backup = Optional.empty();
        if (created.status() == 202 && !created.id().isEmpty()) {
            String id = created.id();
            Optional<JsonNode> done = poll(BACKUP_DEADLINE, () -> {
                JsonNode b = s.gateway().get("/api/backups/" + id, token).json();
                String status = b.path("status").asText();
                return status.equals("completed") || status.equals("failed") ? b : null;
            });
            String status = done.map(b -> b.path("status").asText()).orElse("not finished within " + BACKUP_DEADLINE.toSeconds() + " s");
            if (report.check(status.equals("completed"), "setup: a db backup of the demo environment completes", status)) {
                backup = Optional.of(id);
            }
        } else {
            report.check(false, "setup: POST /api/environments/{demo}/backups -> 202", created.seen());
        }

        JsonNode restores = s.gateway().get("/api/environments/" + s.demoEnv() + "/restores?limit=1", token).json();
        Optional<String> restore = restores.path("items").isEmpty() ? Optional.empty()
                : Optional.of(restores.path("items").get(0).path("id").asText());
        report.note("demo restore: " + restore.orElse("none yet (the restore probes are left out)"));

        Optional<String> alert = firstAlert(s, token);
        if (alert.isEmpty()) {
            // a destination nobody answers for raises destination_unreachable when it is tested
            Api.Answer dead = s.gateway().send("POST", "/api/backup-destinations", token, Map.of("name", "security-suite dead end",
                    "destinationType", "sftp", "config", Map.of("host", "127.0.0.1", "port", 9, "username", "nobody",
                            "password", "security-suite-not-a-secret", "path", "/backups")));
            if (dead.status() == 201) {
                s.gateway().send("POST", "/api/backup-destinations/" + dead.id() + "/test", token, null);
                alert = poll(ALERT_DEADLINE, () -> firstAlert(s, token).orElse(null));
                s.gateway().send("DELETE", "/api/backup-destinations/" + dead.id(), token, null);
            }
        }
        report.check(alert.isPresent(), "setup: the demo organisation has an alert to probe", alert.orElse("none"));
        return new Demo(backup, restore, alert);
    }

    private static Optional<String> firstAlert(Suite s, String token) {
        for (String query : List.of("?isRead=false&limit=1", "?limit=1")) {
            JsonNode items = s.gateway().get("/api/backup-alerts" + query, token).json().path("items");
            if (!items.isEmpty()) {
                return Optional.of(items.get(0).path("id").asText());
            }
        }
        return Optional.empty();
    }

    /** Asks until the answer is there or the deadline passes; the pause is the polling interval. */
    static <T> Optional<T> poll(Duration deadline, Supplier<T> attempt) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            T value = attempt.get();
            if (value != null) {
                return Optional.of(value);
            }
            if (System.nanoTime() > end) {
                return Optional.empty();
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }
}
