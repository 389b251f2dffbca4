package io.ocore.backups.alert;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;

import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.AlertRaised;
import io.ocore.backups.platform.events.v1.Events.BackupFailed;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbox relay runs when the transaction that wrote the event commits (PostgreSQL NOTIFY),
 * not only at its next poll: with the poll an hour apart, a new alert's AlertRaised still reaches
 * Kafka at once.
 */
@QuarkusTest
@TestProfile(OutboxNotifyTest.HourlyPoll.class)
class OutboxNotifyTest {

    public static class HourlyPoll implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The first poll runs at start; the next one an hour later, long after this test.
            return Map.of("ocore.outbox.poll-interval", "1h");
        }
    }

    static KafkaTestClient kafka;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    @Test
    void anAlertCommittedBetweenPollsIsPublishedAtCommit() throws Exception {
        for (int i = 0; i < 3; i++) { // not a lucky first poll: three alerts, one after the other
            UUID org = UUID.randomUUID();
            UUID backup = UUID.randomUUID();
            kafka.publish(new BackupFailed(org, UUID.randomUUID(), backup, "db", "manual", "k" + i, "disk full",
                    Instant.now()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(AlertEventsTest.viewer(org))
                    .get("/api/backup-alerts").then().body("items", hasSize(1)));

            KafkaTestClient.Received raised = kafka.awaitRecord(Topics.ALERT,
                    r -> r.data().contains(backup.toString()), Duration.ofSeconds(30));
            assertThat(raised.type()).isEqualTo(EventTypes.typeOf(AlertRaised.class));
            assertThat(raised.as(AlertRaised.class).orgId()).isEqualTo(org);
            await().atMost(Duration.ofSeconds(10)).until(() -> AlertEventsTest.unpublishedOutboxRows(org) == 0);
        }
    }
}
