package io.ocore.backups.platform.jobs;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * The lease SQL of a job table (docs/adr/0012-job-leases.md), blocking on the service's reactive
 * {@link Pool}: call it from worker threads only. The table has {@code id uuid}, {@code status}
 * ({@code pending}, {@code in_progress}, ...), {@code claimed_by}, {@code lease_generation bigint},
 * {@code started_at} and {@code heartbeat_at}. Every write of a running job is conditional on
 * {@code (id, claimed_by, lease_generation)} and {@code status = 'in_progress'}.
 */
public final class JobTable {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String HELD = "id = $1 and claimed_by = $2 and lease_generation = $3 and status = 'in_progress'";

    private final Pool pool;
    private final String table;

    public JobTable(Pool pool, String table) {
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        this.pool = pool;
        this.table = table;
    }

    /**
     * Claims one pending job for {@code node}: marks it in_progress, bumps its generation and
     * answers the new lease, or null when {@code candidate} finds none.
     *
     * @param candidate a query answering at most one pending id, locked {@code for update skip locked}
     *                  (the service's own conditions, e.g. one running backup per environment)
     * @param alsoSet   more assignments ({@code ", bytes_done = 0"}), or ""
     */
    public Lease claim(String node, String candidate, String alsoSet) {
        RowSet<Row> rows = pool.withTransaction(conn -> conn.preparedQuery("update " + table
                + " set status = 'in_progress', claimed_by = $1, lease_generation = lease_generation + 1,"
                + " started_at = now(), heartbeat_at = now()" + alsoSet
                + " where id = (" + candidate + ") returning id, claimed_by, lease_generation")
                .execute(Tuple.of(node))).await().atMost(TIMEOUT);
        return first(rows);
    }

    /** Whether the lease is still held: same owner, same generation, still in_progress. */
    public boolean holds(Lease lease) {
        return pool.preparedQuery("select 1 from " + table + " where " + HELD).execute(held(lease))
                .await().atMost(TIMEOUT).size() == 1;
    }

    /**
     * Saves the heartbeat and {@code set} ({@code "phase = $4, bytes_done = $5"}, parameters from $4
     * on) if the lease is still held; false when it is lost (0 rows).
     */
    public boolean update(Lease lease, String set, Object... values) {
        Tuple t = held(lease);
        for (Object v : values) {
            t.addValue(v);
        }
        String sql = "update " + table + " set heartbeat_at = now()" + (set.isBlank() ? "" : ", " + set)
                + " where " + HELD;
        return pool.preparedQuery(sql).execute(t).await().atMost(TIMEOUT).rowCount() == 1;
    }

    /** {@link #update}, throwing {@link LeaseLostException} when the lease is lost. */
    public void updateOrStop(Lease lease, String set, Object... values) {
        if (!update(lease, set, values)) {
            throw new LeaseLostException(lease);
        }
    }

    /**
     * Leases of jobs in_progress whose worker is gone: claimed by {@code node} (this instance,
     * restarted) or silent for longer than {@code staleAfter}; never those in {@code runningHere}.
     */
    public List<Lease> stale(String node, Duration staleAfter, Collection<UUID> runningHere) {
        RowSet<Row> rows = pool.preparedQuery("select id, claimed_by, lease_generation from " + table
                + " where status = 'in_progress'"
                + " and (claimed_by = $1 or heartbeat_at is null or heartbeat_at < now() - make_interval(secs => $2))"
                + " and not (id = any($3))")
                .execute(Tuple.of(node, (double) staleAfter.toMillis() / 1000.0, runningHere.toArray(UUID[]::new)))
                .await().atMost(TIMEOUT);
        List<Lease> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(lease(r));
        }
        return out;
    }

    /**
     * Takes over a stale job for {@code node} before anything of it is cleaned up or undone: bumps
     * its generation if it is still the one {@code seen}, so that the old worker's every later
     * write finds its lease lost. Waits on a row lock a worker holds for an exclusive step
     * ({@link #exclusive}). Null when the row moved on meanwhile (finished, or taken by another).
     */
    public Lease takeOver(Lease seen, String node) {
        RowSet<Row> rows = pool.preparedQuery("update " + table
                + " set claimed_by = $3, lease_generation = lease_generation + 1, heartbeat_at = now()"
                + " where id = $1 and lease_generation = $2 and status = 'in_progress'"
                + " returning id, claimed_by, lease_generation")
                .execute(Tuple.of(seen.id(), seen.generation(), node)).await().atMost(TIMEOUT);
        return first(rows);
    }

    /**
     * Runs {@code step} while holding the job's row locked ({@code select ... for update}) in a
     * transaction, after checking inside it that the lease is still held; the heartbeat is saved
     * in the same transaction. A takeover ({@link #takeOver}) or another holder's exclusive step
     * waits until it ends, so that two of them never run at once (the restore's swap and a
     * recovery's undo).
     *
     * @throws LeaseLostException the lease is no longer held: {@code step} did not run
     */
    public <T> T exclusive(Lease lease, Callable<T> step) throws Exception {
        SqlConnection conn = pool.getConnection().await().atMost(TIMEOUT);
        Job.current().ifPresent(j -> j.exclusive(true));
        try {
            Transaction tx = conn.begin().await().atMost(TIMEOUT);
            boolean done = false;
            try {
                int held = conn.preparedQuery("select 1 from " + table + " where " + HELD + " for update")
                        .execute(held(lease)).await().atMost(TIMEOUT).size();
                if (held != 1) {
                    throw new LeaseLostException(lease);
                }
                T result = step.call();
                conn.preparedQuery("update " + table + " set heartbeat_at = now() where id = $1")
                        .execute(Tuple.of(lease.id())).await().atMost(TIMEOUT);
                tx.commit().await().atMost(TIMEOUT);
                done = true;
                return result;
            } finally {
                if (!done) {
                    try {
                        tx.rollback().await().atMost(TIMEOUT);
                    } catch (RuntimeException ignored) {
                        // the connection is closed below; the server rolls back
                    }
                }
            }
        } finally {
            Job.current().ifPresent(j -> j.exclusive(false));
            conn.close().await().atMost(TIMEOUT);
        }
    }

    private static Tuple held(Lease lease) {
        return Tuple.of(lease.id(), lease.owner(), lease.generation());
    }

    private static Lease first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? lease(it.next()) : null;
    }

    private static Lease lease(Row r) {
        String owner = r.getString("claimed_by");
        return new Lease(r.getUUID("id"), owner == null ? "" : owner, r.getLong("lease_generation"));
    }
}
