package io.ocore.backups.platform.events;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes committed outbox rows to Kafka in insertion order and marks them published. Rows are
 * claimed with {@code FOR UPDATE SKIP LOCKED}, so replicas share the work without sending a row
 * twice in the normal case; a crash after the send and before the commit re-sends it, which
 * consumers absorb through their consumed-event table (at-least-once, effectively once).
 *
 * <p>It runs when a transaction that appended rows commits (PostgreSQL {@code LISTEN/NOTIFY} on
 * {@link #NOTIFY_CHANNEL}, one pooled connection held for it), and every
 * {@code ocore.outbox.poll-interval} as a fallback.
 */
@ApplicationScoped
public class OutboxRelay {

    /** The one outgoing channel; the topic comes from each row. */
    public static final String CHANNEL = "outbox";
    /** The PostgreSQL notification channel {@link Outbox#append} notifies at commit. */
    public static final String NOTIFY_CHANNEL = "ocore_outbox";

    private final Pool pool;
    private final MutinyEmitter<String> emitter;
    private final String source;
    private final int batchSize;
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile boolean listen;
    private volatile PgConnection listener;
    private final Event<Relayed> relayed;
    private final ObjectMapper mapper;
    private final AtomicLong pending = new AtomicLong();

    /**
     * An event the relay published, once the row is marked published (committed): what the
     * services' outcome metrics count (docs/operations.md "Metrics"). A crash between the send and
     * the commit sends the row again and so counts it again: rare, and said there.
     *
     * @param event the event as it was appended
     */
    public record Relayed(OcoreEvent event) {
    }

    /** A row sent, announced once its transaction committed. */
    private record Sent(String type, String payload) {
    }

    /**
     * @param batchSize how many outbox rows one relay pass sends before it looks again; a full batch starts the next pass at once
     * @param startPaused when true the relay starts paused and sends nothing until resumed
     * @param listen when true the relay LISTENs for new outbox rows on its PostgreSQL connection and sends them at once, rather than only on its poll
     */
    public OutboxRelay(Pool pool, @Channel(CHANNEL) MutinyEmitter<String> emitter,
            @ConfigProperty(name = "quarkus.application.name") String source,
            @ConfigProperty(name = "ocore.outbox.batch-size", defaultValue = "200") int batchSize,
            @ConfigProperty(name = "ocore.outbox.start-paused", defaultValue = "false") boolean startPaused,
            @ConfigProperty(name = "ocore.outbox.listen", defaultValue = "true") boolean listen,
            Event<Relayed> relayed, ObjectMapper mapper, MeterRegistry registry) {
        this.pool = pool;
        this.emitter = emitter;
        this.source = "/ocore/" + source;
        this.batchSize = batchSize;
        this.paused.set(startPaused);
        this.listen = listen;
        this.relayed = relayed;
        this.mapper = mapper;
        // Prometheus: ocore_outbox_pending_events (docs/operations.md "Metrics")
        Gauge.builder("ocore.outbox.pending.events", pending, AtomicLong::get)
                .description("Events committed to this service's outbox and not yet published to Kafka")
                .register(registry);
    }

    /** Counts the outbox's unpublished rows for {@code ocore_outbox_pending_events}. */
    @Scheduled(every = "${ocore.outbox.metrics-interval:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> countPending() {
        return pool.query("select count(*) from outbox_event where published_at is null").execute()
                .invoke(rows -> pending.set(rows.iterator().next().getLong(0)))
                .onFailure().invoke(e -> Log.debugf("Outbox: could not count pending events: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** The fallback: catches what a missed notification left (relay down, listener reconnecting). */
    @Scheduled(every = "${ocore.outbox.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void tick() {
        ensureListening();
        wake();
    }

    /**
     * Runs the relay now, or once more right after the run in progress: one run at a time in this
     * process, so the rows of one process leave in their order.
     */
    void wake() {
        again.set(true);
        if (!paused.get() && running.compareAndSet(false, true)) {
            drain();
        }
    }

    private void drain() {
        again.set(false);
        relayOnce().onFailure().invoke(e -> Log.warnf("Outbox relay could not publish yet: %s", e.getMessage()))
                .onFailure().recoverWithItem(0)
                .subscribe().with(n -> {
                    running.set(false);
                    if (n >= batchSize || again.get()) {
                        wake();
                    }
                });
    }

    /** Starts listening unless a listener exists or is being set up (or listening is off). */
    private void ensureListening() {
        if (listen && listener == null && connecting.compareAndSet(false, true)) {
            startListening();
        }
    }

    /** LISTEN on a connection of the pool; a lost connection is replaced by a later tick. */
    private void startListening() {
        pool.getConnection().subscribe().with(conn -> {
            if (!(conn.getDelegate() instanceof io.vertx.pgclient.PgConnection bare)) {
                conn.closeAndForget();
                listen = false;
                Log.info("Outbox relay: the pool's connections cannot LISTEN; it polls only");
                return;
            }
            PgConnection pg = PgConnection.newInstance(bare);
            pg.notificationHandler(n -> wake());
            pg.closeHandler(() -> listener = null);
            pg.query("LISTEN " + NOTIFY_CHANNEL).execute().subscribe().with(ok -> {
                listener = pg;
                connecting.set(false);
                wake(); // what was committed before the listener existed
            }, e -> {
                connecting.set(false);
                conn.closeAndForget();
                Log.debugf("Outbox relay cannot listen yet: %s", e.getMessage());
            });
        }, e -> {
            connecting.set(false);
            Log.debugf("Outbox relay cannot listen yet: %s", e.getMessage());
        });
    }

    void onStart(@Observes StartupEvent ev) {
        ensureListening();
    }

    void onStop(@Observes ShutdownEvent ev) {
        listen = false;
        PgConnection l = listener;
        if (l != null) {
            l.closeAndForget();
        }
    }

    /** Publishes one batch; answers how many rows were published. */
    public Uni<Integer> relayOnce() {
        List<Sent> sent = new ArrayList<>();
        return pool.withTransaction(conn -> conn.preparedQuery("""
                select id, topic, event_key, event_type, org_id, payload, created_at, trace_parent, trace_state
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
                            .onItem().transformToUniAndConcatenate(row -> send(row).invoke(() -> sent.add(
                                    new Sent(row.getString("event_type"), row.getString("payload")))))
                            .collect().asList()
                            .chain(ids -> markPublished(conn, ids));
                }))
                .invoke(() -> sent.forEach(this::announce));
    }

    /** Tells the observers (metrics) of one published event; an observer's failure stops nothing. */
    private void announce(Sent r) {
        try {
            Class<? extends OcoreEvent> type = EventTypes.classOf(r.type());
            if (type != null) {
                relayed.fire(new Relayed(mapper.readValue(r.payload(), type)));
            }
        } catch (RuntimeException | java.io.IOException e) {
            Log.warnf("Outbox: an observer of %s failed: %s", r.type(), e.toString());
        }
    }

    /** Stops publishing (operators draining a node; tests simulating a crash before the relay ran). */
    public void pause() {
        paused.set(true);
    }

    public void resume() {
        paused.set(false);
        wake();
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
                        .build())
                // The producer span's parent is the span that appended the event (not whatever is current
                // in the relay): the Kafka instrumentation writes the producer span's traceparent into the
                // record's headers, and the consumers' spans continue it.
                .addMetadata(TracingMetadata.withCurrent(TraceContexts.restore(row.getString("trace_parent"),
                        row.getString("trace_state"))));
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
