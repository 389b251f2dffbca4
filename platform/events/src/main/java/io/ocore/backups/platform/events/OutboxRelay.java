package io.ocore.backups.platform.events;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes committed outbox rows to Kafka in insertion order and marks them published. Rows are
 * claimed with {@code FOR UPDATE SKIP LOCKED}, so replicas share the work without sending a row
 * twice in the normal case; a crash after the send and before the commit re-sends it, which
 * consumers absorb through their consumed-event table (at-least-once, effectively once).
 */
@ApplicationScoped
public class OutboxRelay {

    /** The one outgoing channel; the topic comes from each row. */
    public static final String CHANNEL = "outbox";

    private final Pool pool;
    private final MutinyEmitter<String> emitter;
    private final String source;
    private final int batchSize;
    private final AtomicBoolean paused = new AtomicBoolean();

    public OutboxRelay(Pool pool, @Channel(CHANNEL) MutinyEmitter<String> emitter,
            @ConfigProperty(name = "quarkus.application.name") String source,
            @ConfigProperty(name = "ocore.outbox.batch-size", defaultValue = "200") int batchSize,
            @ConfigProperty(name = "ocore.outbox.start-paused", defaultValue = "false") boolean startPaused) {
        this.pool = pool;
        this.emitter = emitter;
        this.source = "/ocore/" + source;
        this.batchSize = batchSize;
        this.paused.set(startPaused);
    }

    @Scheduled(every = "${ocore.outbox.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        if (paused.get()) {
            return Uni.createFrom().voidItem();
        }
        return relayOnce().onFailure().invoke(e -> Log.warnf("Outbox relay could not publish yet: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Publishes one batch; answers how many rows were published. */
    public Uni<Integer> relayOnce() {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                select id, topic, event_key, event_type, org_id, payload, created_at
                from outbox_event where published_at is null
                order by seq limit $1 for update skip locked""")
                .execute(Tuple.of(batchSize))
                .chain(rows -> {
                    List<Row> batch = new ArrayList<>();
                    rows.forEach(batch::add);
                    if (batch.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return Multi.createFrom().iterable(batch)
                            .onItem().transformToUniAndConcatenate(this::send)
                            .collect().asList()
                            .chain(ids -> markPublished(conn, ids));
                }));
    }

    /** Stops publishing (operators draining a node; tests simulating a crash before the relay ran). */
    public void pause() {
        paused.set(true);
    }

    public void resume() {
        paused.set(false);
    }

    private Uni<UUID> send(Row row) {
        UUID id = row.getUUID("id");
        OffsetDateTime created = row.getOffsetDateTime("created_at");
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventEnvelope.H_SPECVERSION, bytes(EventEnvelope.SPEC_VERSION));
        headers.add(EventEnvelope.H_ID, bytes(id.toString()));
        headers.add(EventEnvelope.H_TYPE, bytes(row.getString("event_type")));
        headers.add(EventEnvelope.H_SOURCE, bytes(source));
        headers.add(EventEnvelope.H_SUBJECT, bytes(row.getString("event_key")));
        headers.add(EventEnvelope.H_TIME, bytes(created.toInstant().toString()));
        headers.add(EventEnvelope.H_ORGID, bytes(row.getUUID("org_id").toString()));
        headers.add(EventEnvelope.H_CONTENT_TYPE, bytes("application/json"));
        Message<String> message = Message.of(row.getString("payload")).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder()
                        .withTopic(row.getString("topic"))
                        .withKey(row.getString("event_key"))
                        .withHeaders(headers)
                        .build());
        return emitter.sendMessage(message).replaceWith(id);
    }

    private static Uni<Integer> markPublished(SqlConnection conn, List<UUID> ids) {
        return conn.preparedQuery("update outbox_event set published_at = now() where id = any($1)")
                .execute(Tuple.of(ids.toArray(UUID[]::new)))
                .map(r -> r.rowCount());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
