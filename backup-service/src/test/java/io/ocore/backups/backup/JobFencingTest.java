package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.BackupExecutionTest.awaitFinished;
import static io.ocore.backups.backup.BackupExecutionTest.localDestination;
import static io.ocore.backups.backup.BackupExecutionTest.requestBackup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ocore.backups.backup.execution.BackupExecution;
import io.ocore.backups.backup.execution.BackupWorker;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fencing and liveness of backups (docs/adr/0012-job-leases.md) on real parts: a worker whose
 * lease another replica took over writes nothing more; a pg_dump blocked by a lock fails in
 * bounded time and frees the environment for the next backup.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class JobFencingTest {

    static SourceEnvironment src;

    @Inject
    Pool pool;

    @Inject
    BackupWorker worker;

    @BeforeAll
    static void start() throws Exception {
        src = SourceEnvironment.get();
    }

    @AfterEach
    void clearHooks() {
        BackupExecution.beforeComponent(null);
    }

    Row row(String id) {
        return pool.preparedQuery("select status, claimed_by, lease_generation, error, completed_at from backup"
                + " where id = $1").execute(Tuple.of(UUID.fromString(id))).await().atMost(Duration.ofSeconds(10))
                .iterator().next();
    }

    long outcomeEvents(String id) {
        return pool.preparedQuery("select count(*) as n from outbox_event where payload like $1"
                + " and (event_type like '%BackupCompleted%' or event_type like '%BackupFailed%'"
                + " or event_type like '%DestinationFailed%')")
                .execute(Tuple.of("%" + id + "%")).await().atMost(Duration.ofSeconds(10)).iterator().next()
                .getLong("n");
    }

    @Test
    void aStaleWorkerWhoseLeaseWasTakenOverRecordsNoOutcomeAndNoEvents() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path localDir = Files.createTempDirectory("ocore-fence-");
        UUID dest = localDestination(org, localDir);
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch takenOver = new CountDownLatch(1);
        BackupExecution.beforeComponent(c -> {
            if (c == ComponentName.filestore) {
                reached.countDown();
                try {
                    // the worker "hangs" here, as one whose database connection is away would
                    takenOver.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        String id = requestBackup(org, env, "full", dest);
        assertThat(reached.await(60, TimeUnit.SECONDS)).as("the backup reached its filestore").isTrue();
        long generation = row(id).getLong("lease_generation");
        assertThat(generation).isPositive();

        // A second replica's recovery: it takes the lease over (bumping the generation) and fails
        // the backup as interrupted, as BackupWorker.recoverInterrupted does on another node.
        int n = pool.preparedQuery("update backup set claimed_by = 'replica-b',"
                + " lease_generation = lease_generation + 1, heartbeat_at = now() where id = $1 and lease_generation = $2")
                .execute(Tuple.of(UUID.fromString(id), generation)).await().atMost(Duration.ofSeconds(10)).rowCount();
        assertThat(n).isEqualTo(1);
        pool.preparedQuery("update backup set status = 'failed', completed_at = now(),"
                + " error = 'interrupted: recovered by replica-b' where id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().atMost(Duration.ofSeconds(10));
        takenOver.countDown();

        await().atMost(Duration.ofSeconds(60)).until(() -> !worker.runningHere().contains(UUID.fromString(id)));
        Row r = row(id);
        assertThat(r.getString("status")).isEqualTo("failed");
        assertThat(r.getString("error")).isEqualTo("interrupted: recovered by replica-b");
        assertThat(r.getString("claimed_by")).isEqualTo("replica-b");
        assertThat(r.getLong("lease_generation")).isEqualTo(generation + 1);
        assertThat(outcomeEvents(id)).as("the stale worker published no outcome").isZero();
        String dir = BackupLayout.backupDir(org, env, UUID.fromString(id));
        assertThat(localDir.resolve(dir + io.ocore.backups.platform.backupformat.blobs.BlobLayout.FILESTORE_INDEX))
                .as("no upload after the lease was lost")
                .doesNotExist();
        assertThat(localDir.resolve(dir + "manifest.json")).doesNotExist();
    }

    @Test
    void aPgDumpBlockedByALockFailsInBoundedTimeAndTheNextBackupRuns() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path localDir = Files.createTempDirectory("ocore-lock-");
        UUID dest = localDestination(org, localDir);
        String id;
        long started;
        try (Connection c = src.cluster.connect(SourceEnvironment.DATABASE); Statement st = c.createStatement()) {
            String table;
            try (ResultSet rs = st.executeQuery(
                    "select tablename from pg_tables where schemaname = 'public' order by tablename limit 1")) {
                rs.next();
                table = rs.getString(1);
            }
            c.setAutoCommit(false);
            st.execute("lock table public.\"" + table + "\" in access exclusive mode");
            started = System.nanoTime();
            id = requestBackup(org, env, "db", dest);
            JsonPath b = awaitFinished(org, id);
            assertThat(b.getString("status")).as(b.prettify()).isEqualTo("failed");
            assertThat(b.getString("error")).contains("waited longer than 2s for a lock");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
            c.rollback();
        }
        // the environment's one running slot is free again: the next backup runs to completion
        String next = requestBackup(org, env, "db", dest);
        JsonPath b = awaitFinished(org, next);
        assertThat(b.getString("status")).as(b.prettify()).isEqualTo("completed");
    }
}
