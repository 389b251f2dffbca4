package io.ocore.backups.scheduler;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/** Shared steps of the scheduler's Quarkus tests. */
public final class SchedulerTestSupport {

    private SchedulerTestSupport() {
    }

    public static String viewer(UUID org) {
        return TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS);
    }

    public static String manager(UUID org) {
        return TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS, Permissions.VIEW_ENVIRONMENTS);
    }

    /** Registers an environment through environment-events and waits until the scheduler knows it. */
    public static UUID environment(KafkaTestClient kafka, UUID org, String type) {
        UUID env = UUID.randomUUID();
        kafka.publish(new EnvironmentRegistered(org, env, UUID.randomUUID(), "acme-" + type, type, Instant.now()));
        await().atMost(Duration.ofSeconds(30)).until(() -> given().auth().oauth2(viewer(org))
                .get("/api/environments/" + env + "/backup-schedule").statusCode() == 200);
        return env;
    }

    /** Runs reactive application code on a fresh Vert.x context (its own session and connection). */
    public static <T> T onVertx(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) {
        try {
            return io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    public static Connection jdbc() throws SQLException {
        Config c = ConfigProvider.getConfig();
        String url = "jdbc:postgresql://127.0.0.1:" + c.getValue("ocore.test.postgres.port", String.class) + "/"
                + c.getValue("ocore.test.postgres.database", String.class);
        return DriverManager.getConnection(url, "postgres", "");
    }

    public static String body(UUID dest, String extra) {
        return """
                {"enabled": true, "dbFrequency": "6h", "fullFrequency": "daily", "retainHourly": 24,
                 "retainDaily": 7, "retainWeekly": 4, "retainMonthly": 12, "walEnabled": true,
                 "walRetentionDays": 7, "destinationIds": ["%s"]%s}""".formatted(dest, extra);
    }
}
