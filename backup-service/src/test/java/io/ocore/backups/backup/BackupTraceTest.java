package io.ocore.backups.backup;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.fakes.DestinationStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.time.Instant;
import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * One manual backup is one trace (docs/operations.md "Traces"): the API request's span, the run
 * of the backup the worker claimed later, the Kafka record of BackupCompleted that the outbox
 * relay published after the run's transaction committed, and a consumer's span of that record
 * all carry the same trace id.
 */
@QuarkusTest
@TestProfile(BackupTraceTest.Recorded.class)
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class BackupTraceTest {

    /** Every trace recorded (not only the default share 0), handed to the exporter at once. */
    public static class Recorded implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.traces.sampler.arg", "1", "quarkus.otel.bsp.schedule.delay", "100ms");
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @Test
    void aManualBackupIsOneTraceFromTheRequestThroughItsRunToTheConsumersOfItsEvent() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, SourceEnvironment.get());
        UUID dest = UUID.randomUUID();
        DestinationStub.register(org, dest, "Local disk", "local",
                Map.of("path", Files.createTempDirectory("ocore-local-").toString()));
        spans.reset();

        String id = given().auth().oauth2(Fixtures.manager(org))
                .contentType(ContentType.JSON)
                .body(Map.of("backupType", "db", "destinationIds", List.of(dest.toString())))
                .post("/api/environments/" + env + "/backups").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> given().auth().oauth2(Fixtures.viewer(org))
                        .get("/api/backups/" + id).then().body("status", equalTo("completed")));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            List<SpanData> all = spans.getFinishedSpanItems();
            SpanData request = all.stream().filter(s -> s.getKind() == SpanKind.SERVER
                    && s.getName().startsWith("POST") && s.getName().endsWith("/backups")).findFirst().orElse(null);
            assertThat(request).as("the request's span among %s", names(all)).isNotNull();
            String trace = request.getTraceId();
            List<SpanData> inTrace = all.stream().filter(s -> s.getTraceId().equals(trace)).toList();

            SpanData run = inTrace.stream().filter(s -> s.getName().equals("backup run")).findFirst().orElse(null);
            assertThat(run).as("the backup's run in the request's trace: %s", names(inTrace)).isNotNull();
            assertThat(run.getAttributes().asMap().toString()).contains(id);

            SpanData published = inTrace.stream().filter(s -> s.getKind() == SpanKind.PRODUCER
                    && s.getName().startsWith("backup-events")).findFirst().orElse(null);
            assertThat(published).as("BackupCompleted's Kafka record in the request's trace: %s", names(inTrace))
                    .isNotNull();
            assertThat(published.getParentSpanId()).as("published from the run").isEqualTo(run.getSpanId());

            SpanData consumed = inTrace.stream().filter(s -> s.getKind() == SpanKind.CONSUMER
                    && s.getName().startsWith("backup-events")).findFirst().orElse(null);
            assertThat(consumed).as("a consumer's span of the record in the request's trace: %s", names(inTrace))
                    .isNotNull();
            assertThat(consumed.getParentSpanId()).isEqualTo(published.getSpanId());
        });
    }

    @Test
    void aBackupRequestedByAnEventContinuesTheEventsTrace() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, SourceEnvironment.get());
        UUID dest = UUID.randomUUID();
        DestinationStub.register(org, dest, "Local disk", "local",
                Map.of("path", Files.createTempDirectory("ocore-local-").toString()));
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String key = env + "@" + Instant.now();
        try (KafkaTestClient kafka = new KafkaTestClient(
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class))) {
            // as scheduler-service publishes it from a recorded trace
            kafka.publish(new Events.BackupRequested(org, env, "db", "scheduled", key, List.of(dest), Instant.now(),
                    false), UUID.randomUUID(), Map.of("traceparent", "00-" + trace + "-00f067aa0ba902b7-01"));

            KafkaTestClient.Received done = kafka.awaitRecord(Topics.BACKUP, r -> r.data().contains(key)
                    && r.type().equals(EventTypes.typeOf(Events.BackupCompleted.class)), Duration.ofSeconds(120));
            // what the other services' consumers continue
            assertThat(done.headers().get("traceparent")).startsWith("00-" + trace + "-");
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            List<SpanData> inTrace = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace))
                    .toList();
            assertThat(inTrace).as("the event's trace").anySatisfy(s -> {
                assertThat(s.getKind()).isEqualTo(SpanKind.CONSUMER);
                assertThat(s.getName()).startsWith("schedule-events");
            });
            assertThat(inTrace).extracting(SpanData::getName).as("the event's trace").contains("backup run");
        });
    }

    private static List<String> names(List<SpanData> spans) {
        return spans.stream().map(s -> s.getKind() + " " + s.getName() + " " + s.getTraceId()).toList();
    }
}
