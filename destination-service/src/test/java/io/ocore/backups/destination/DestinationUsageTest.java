package io.ocore.backups.destination;

import static io.ocore.backups.destination.Fixtures.PATH;
import static io.ocore.backups.destination.Fixtures.as;
import static io.ocore.backups.destination.Fixtures.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import io.ocore.backups.platform.events.v1.Events.BackupCompleted;
import io.ocore.backups.platform.events.v1.Events.BackupDeleted;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3TestResource;
import io.ocore.backups.platform.testing.sftp.SftpTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.hamcrest.Matcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A destination in use (learned from schedule and backup events) cannot be deleted. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(S3TestResource.class)
@QuarkusTestResource(SftpTestResource.class)
@QuarkusTestResource(FakeGoogleResource.class)
class DestinationUsageTest {

    static KafkaTestClient kafka;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    /**
     * Waits until the events have been consumed (the usage rows exist; deleting while waiting would
     * succeed too early), then expects deleting to be a 409 whose detail matches.
     */
    static void awaitConflict(UUID org, String id, int usages, Matcher<String> detail) {
        await().atMost(Duration.ofSeconds(60)).until(() -> usages(id) == usages);
        as(org).delete(PATH + "/" + id).then().statusCode(409).contentType("application/problem+json")
                .body("detail", detail);
        as(org).get(PATH + "/" + id).then().statusCode(200);
    }

    static int usages(String id) {
        return Integer.parseInt(Fixtures.queryString("select count(*) from destination_usage where destination_id = ?",
                UUID.fromString(id)));
    }

    @Test
    void aDestinationAScheduleOrABackupUsesCannotBeDeleted() {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        String id = create(org, "Used", "local", Fixtures.local());
        UUID dest = UUID.fromString(id);

        kafka.publish(new EnvironmentRegistered(org, env, UUID.randomUUID(), "odoo-prod", "production", Instant.now()));
        kafka.publish(new BackupScheduleChanged(org, env, true, false, 7, List.of(dest, UUID.randomUUID())));
        await().atMost(Duration.ofSeconds(60)).until(() -> Fixtures.queryString(
                "select name from known_environment where environment_id = ?", env) != null);
        awaitConflict(org, id, 1, allOf(containsString("the backup schedule of environment \"odoo-prod\""),
                containsString(env.toString())));

        List<UUID> backups = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            UUID backup = UUID.randomUUID();
            backups.add(backup);
            kafka.publish(new BackupCompleted(org, env, backup, "full", "scheduled", "k-" + backup, 1024,
                    Instant.now(), Instant.now(), Map.of(dest, "org/env/backups/" + backup), List.of()));
        }
        awaitConflict(org, id, 4, containsString("odoo-prod\" (" + env + ") and 3 backups"));

        // the schedule stops using it: the backups still hold it
        kafka.publish(new BackupScheduleChanged(org, env, true, false, 7, List.of(UUID.randomUUID())));
        awaitConflict(org, id, 3, allOf(containsString("used by 3 backups"), not(
                containsString("schedule of"))));

        // redelivered deletions are harmless; once every backup is gone the destination can go
        for (UUID backup : backups) {
            UUID eventId = UUID.randomUUID();
            kafka.publish(new BackupDeleted(org, env, backup, Instant.now()), eventId);
            kafka.publish(new BackupDeleted(org, env, backup, Instant.now()), eventId);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> usages(id) == 0);
        as(org).delete(PATH + "/" + id).then().statusCode(204);
        as(org).get(PATH + "/" + id).then().statusCode(404);
    }

    @Test
    void anotherOrganisationsEventsDoNotBlockADelete() {
        UUID org = UUID.randomUUID();
        String id = create(org, "Free", "local", Fixtures.local());
        UUID env = UUID.randomUUID();
        kafka.publish(new BackupScheduleChanged(UUID.randomUUID(), env, true, false, 7, List.of(UUID.fromString(id))));
        // a later event of the same environment key proves the first one was consumed
        UUID otherDest = UUID.fromString(create(org, "Marker", "local", Fixtures.local()));
        kafka.publish(new BackupScheduleChanged(org, env, true, false, 7, List.of(otherDest)));
        await().atMost(Duration.ofSeconds(60)).until(() -> usages(otherDest.toString()) == 1);
        assertThat(usages(id)).isEqualTo(1); // recorded for the other organisation only
        as(org).delete(PATH + "/" + otherDest).then().statusCode(409);
        as(org).delete(PATH + "/" + id).then().statusCode(204);
    }
}
