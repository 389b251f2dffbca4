package io.ocore.backups.wal.coverage;

import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.events.v1.Events.WalGapDetected;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Finds gaps in archived WAL and publishes each new one once ({@code WalGapDetected}, recorded in
 * {@code wal_gap} in the same transaction as the outbox event). A periodic scan
 * ({@code ocore.wal.gaps.check-interval}, default 10 s) on one replica at a time (advisory lock),
 * reading only the environments that archived a file since the previous scan less the grace.
 * A hole counts once the file after it has been archived for {@code ocore.wal.gaps.grace}
 * (default 5 min): the archive client pushes the next ready segments in parallel, so files may
 * land out of order for a few seconds.
 */
@ApplicationScoped
public class WalGapScanner {

    /** The advisory lock of a scan ("ocWalGap" in ASCII). */
    static final long LOCK_KEY = 0x6f6357616c476170L;

    private final Pool pool;
    private final WalCatalogue catalogue;
    private final Outbox outbox;
    private final Duration grace;
    /** Start of the last completed scan on this replica; null: none yet (the first scans everything). */
    private volatile Instant lastScan;

    public WalGapScanner(Pool pool, WalCatalogue catalogue, Outbox outbox,
            @ConfigProperty(name = "ocore.wal.gaps.grace", defaultValue = "PT5M") Duration grace) {
        this.pool = pool;
        this.catalogue = catalogue;
        this.outbox = outbox;
        this.grace = grace;
    }

    @Scheduled(every = "${ocore.wal.gaps.check-interval:10s}", delayed = "${ocore.wal.gaps.delay:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return scan(Instant.now()).onFailure().invoke(e -> Log.warnf("WAL gap scan failed: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One scan as of {@code now}; answers the number of gaps newly published (-1: another replica scans). */
    public Uni<Integer> scan(Instant now) {
        Instant since = lastScan == null ? Instant.EPOCH : lastScan.minus(grace).minusSeconds(60);
        Instant cutoff = now.minus(grace);
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery("select pg_try_advisory_xact_lock(" + LOCK_KEY + ")", Boolean.class)
                        .getSingleResult())
                .chain(got -> !got ? Uni.createFrom().item(-1) : changedEnvironments(since).chain(envs -> Multi
                        .createFrom().iterable(envs).onItem().transformToUniAndConcatenate(env -> scanOne(env, cutoff))
                        .collect().asList().map(n -> n.stream().mapToInt(Integer::intValue).sum()))))
                .invoke(n -> {
                    if (n >= 0) {
                        lastScan = now;
                    }
                });
    }

    private record Env(UUID id, UUID orgId) {
    }

    private Uni<List<Env>> changedEnvironments(Instant since) {
        return pool.preparedQuery("""
                select e.id, e.org_id from environment e
                where exists (select 1 from wal_file f where f.environment_id = e.id and f.archived_at > $1)""")
                .execute(Tuple.of(OffsetDateTime.ofInstant(since, ZoneOffset.UTC))).map(rows -> {
                    List<Env> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Env(r.getUUID("id"), r.getUUID("org_id")));
                    }
                    return out;
                });
    }

    private Uni<Integer> scanOne(Env env, Instant cutoff) {
        return catalogue.coverage(env.id()).chain(c -> Multi.createFrom().iterable(c.gaps())
                .filter(g -> g.beforeArchivedAt() != null && !g.beforeArchivedAt().isAfter(cutoff))
                .onItem().transformToUniAndConcatenate(g -> publishOnce(env, g))
                .collect().asList().map(n -> n.stream().mapToInt(Integer::intValue).sum()));
    }

    private Uni<Integer> publishOnce(Env env, WalCoverage.Gap g) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                insert into wal_gap (environment_id, after_file, before_file, detected_at)
                values (:env, :after, :before, now()) on conflict do nothing""")
                .setParameter("env", env.id()).setParameter("after", g.afterSegment())
                .setParameter("before", g.beforeSegment()).executeUpdate())
                .chain(inserted -> {
                    if (inserted == 0) {
                        return Uni.createFrom().item(0);
                    }
                    Log.warnf("WAL gap in environment %s: missing between %s and %s", env.id(), g.afterSegment(),
                            g.beforeSegment());
                    return outbox.append(new WalGapDetected(env.orgId(), env.id(), g.afterSegment(), g.beforeSegment()))
                            .replaceWith(1);
                });
    }
}
