package io.ocore.backups.destination.destination.health;

import io.ocore.backups.destination.config.DestinationSettings;
import io.ocore.backups.destination.destination.DestinationService;
import io.ocore.backups.destination.destination.TestResult;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Re-tests every destination periodically with the same state transitions and events as a manual
 * test. Each replica claims the destinations that are due by moving their {@code next_check_at}
 * in one statement ({@code FOR UPDATE SKIP LOCKED}), so replicas split the work instead of
 * testing the same destination twice, and probes them with bounded concurrency.
 */
@ApplicationScoped
public class HealthMonitor {

    private final Pool pool;
    private final DestinationService destinations;
    private final DestinationSettings settings;
    private final Vertx vertx;

    public HealthMonitor(Pool pool, DestinationService destinations, DestinationSettings settings, Vertx vertx) {
        this.pool = pool;
        this.destinations = destinations;
        this.settings = settings;
        this.vertx = vertx;
    }

    @Scheduled(every = "${ocore.destinations.health-interval:5m}", delayed = "${ocore.destinations.health-delay:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return checkDue().onFailure().invoke(e -> Log.warnf("Destination health check did not run: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Claims and tests the due destinations; answers how many were tested. */
    public Uni<Integer> checkDue() {
        return claim().chain(ids -> ids.isEmpty() ? Uni.createFrom().item(0)
                : Multi.createFrom().iterable(ids)
                        .onItem().transformToUni(id -> onOwnContext(id)
                                .onFailure().invoke(e -> Log.warnf("Health check of destination %s failed: %s", id,
                                        e.getMessage()))
                                .onFailure().recoverWithNull())
                        .merge(Math.max(1, settings.healthConcurrency()))
                        .collect().asList().map(List::size));
    }

    /** Takes up to a batch of due destinations for this replica; their next check moves one interval on. */
    public Uni<List<UUID>> claim() {
        Instant next = settings.nextCheckAfter(Instant.now());
        return pool.preparedQuery("""
                update destination set next_check_at = $2
                where id in (select id from destination where next_check_at <= now()
                             order by next_check_at limit $1 for update skip locked)
                returning id""")
                .execute(Tuple.of(settings.healthBatchSize(), next.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    for (Row r : rows) {
                        ids.add(r.getUUID("id"));
                    }
                    return ids;
                });
    }

    /** Each test on its own Vert.x context, so concurrent tests never share a Hibernate Reactive session. */
    private Uni<TestResult> onOwnContext(UUID id) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return Uni.createFrom().deferred(() -> destinations.testById(id))
                .runSubscriptionOn(command -> context.runOnContext(v -> command.run()));
    }
}
