package io.ocore.backups.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;

import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.jobs.Lease;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.restore.execution.FaultInjector;
import io.ocore.backups.restore.execution.RestoreExecution;
import io.ocore.backups.restore.execution.RestoreStore;
import io.ocore.backups.restore.execution.RestoreWorker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fencing of restores (docs/adr/0012-job-leases.md) on real parts: a worker whose lease another
 * replica took over never swaps; a recovery's takeover, and so its undo, waits while a swap step
 * holds the restore's row, and runs only after it.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
@QuarkusTestResource(InternalStub.class)
class RestoreFencingTest {

    static final UUID ORG = UUID.randomUUID();
    static final UUID PROJECT = UUID.randomUUID();
    static KafkaTestClient kafka;
    static UUID dest;
    static Path destDir;

    @Inject
    EnvelopeCipher cipher;

    @Inject
    StorageFactory storages;

    @Inject
    RestoreWorker worker;

    @Inject
    RestoreStore store;

    @Inject
    RestoreExecution execution;

    @Inject
    Pool pool;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        OdooWorld.cluster();
        destDir = Files.createDirectories(OdooWorld.root.resolve("fence-destination"));
        dest = UUID.randomUUID();
        InternalStub.destination(ORG, dest, "Local disk", "local", Map.of("path", destDir.toString()));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @AfterEach
    void clearFaults() {
        FaultInjector.clear();
    }

    /** A target environment with a backup, changed after the backup: a swap is visible in its fingerprint. */
    record Target(OdooWorld.Env env, OdooWorld.Backup backup, Map<String, String> beforeRestore) {
    }

    Target target(String db, long seed) throws Exception {
        OdooWorld.Env env = OdooWorld.environment(ORG, PROJECT, db, "production", seed);
        BackupStorage local = storages.open(DestinationType.of("local"), Map.of("path", destDir.toString()));
        OdooWorld.Backup backup = OdooWorld.backup(cipher, env, Map.of(dest, local));
        try (Connection c = OdooWorld.cluster().connect(db); Statement st = c.createStatement()) {
            st.execute("update res_partner set name = 'changed after the backup' where id < 20");
        }
        return new Target(env, backup, OdooWorld.fingerprint(env));
    }

    String startRestore(Target t) {
        String id = given().auth().oauth2(TestTokens.of(ORG, Permissions.MANAGE_ENVIRONMENTS,
                Permissions.VIEW_ENVIRONMENTS)).contentType(ContentType.JSON)
                .body(Map.of("targetType", "same", "confirm", t.env().name()))
                .post("/api/backups/{id}/restore", t.backup().id()).then().statusCode(202)
                .body("restoreId", notNullValue()).extract().path("restoreId");
        String key = "pre_restore:" + id;
        kafka.awaitRecord(Topics.SCHEDULE, r -> r.data().contains(key), Duration.ofSeconds(30));
        kafka.publish(new Events.BackupCompleted(ORG, t.env().id(), UUID.randomUUID(), "full", "pre_restore", key,
                1000, Instant.now(), Instant.now(), Map.of(dest, "x/"), List.of()));
        return id;
    }

    Row row(String id) {
        return pool.preparedQuery("select status, claimed_by, lease_generation, error, swap_state from restore_job"
                + " where id = $1").execute(Tuple.of(UUID.fromString(id))).await().atMost(Duration.ofSeconds(10))
                .iterator().next();
    }

    long outcomeEvents(String id) {
        return pool.preparedQuery("select count(*) as n from outbox_event where payload like $1"
                + " and (event_type like '%RestoreCompleted%' or event_type like '%RestoreFailed%')")
                .execute(Tuple.of("%" + id + "%")).await().atMost(Duration.ofSeconds(10)).iterator().next()
                .getLong("n");
    }

    List<String> steps(String id) {
        List<String> out = new java.util.ArrayList<>();
        pool.preparedQuery("select step, status from restore_step where restore_id = $1 order by seq")
                .execute(Tuple.of(UUID.fromString(id))).await().atMost(Duration.ofSeconds(10))
                .forEach(r -> out.add(r.getString("step") + ":" + r.getString("status")));
        return out;
    }

    /** What a second replica's recovery does: take over (generation first), then undo and fail. */
    Lease takeOver(String id) {
        Row r = row(id);
        Lease seen = new Lease(UUID.fromString(id), r.getString("claimed_by"), r.getLong("lease_generation"));
        Lease mine = store.takeOver(seen, "replica-b");
        assertThat(mine).isNotNull();
        assertThat(mine.generation()).isEqualTo(seen.generation() + 1);
        return mine;
    }

    @Test
    void aWorkerWhoseLeaseWasTakenOverDoesNotSwapAndRecordsNothing() throws Exception {
        Target t = target("odoo_fence_stale", 81L);
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FaultInjector.pause(step -> {
            if (step.equals("before " + RestoreExecution.SWAP)) {
                reached.countDown();
                hold(release);
            }
        });
        String id = startRestore(t);
        assertThat(reached.await(90, TimeUnit.SECONDS)).as("the restore reached its swap").isTrue();

        Lease b = takeOver(id); // meanwhile another replica took the restore over
        release.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> !worker.runningHere().contains(UUID.fromString(id)));
        assertThat(OdooWorld.fingerprint(t.env())).as("the stale worker did not swap").isEqualTo(t.beforeRestore());
        Row r = row(id);
        assertThat(r.getString("status")).isEqualTo("in_progress");
        assertThat(r.getString("claimed_by")).isEqualTo("replica-b");
        assertThat(r.getString("swap_state")).isEqualTo("preparing");
        assertThat(outcomeEvents(id)).isZero();
        assertThat(steps(id)).noneMatch(s -> s.startsWith(RestoreExecution.SWAP));

        // the replica that holds the lease recovers it: its temporary database goes, the target stays
        execution.recover(b);
        assertThat(row(id).getString("status")).isEqualTo("failed");
        assertThat(OdooWorld.fingerprint(t.env())).isEqualTo(t.beforeRestore());
        await().atMost(Duration.ofSeconds(10)).until(() -> OdooWorld.leftovers().isEmpty());
    }

    @Test
    void aRecoverysUndoWaitsWhileASwapStepHoldsTheRowAndRunsOnlyAfterIt() throws Exception {
        Target t = target("odoo_fence_swap", 82L);
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch afterSwap = new CountDownLatch(1);
        FaultInjector.pause(step -> {
            if (step.equals(RestoreExecution.SWAP)) { // the database is swapped, the filestore not yet
                reached.countDown();
                hold(release);
            } else if (step.equals("after " + RestoreExecution.SWAP)) {
                // the swap step ended; the old worker's next write comes only once the recovery ran,
                // as for a worker whose connection is away
                hold(afterSwap);
            }
        });
        String id = startRestore(t);
        assertThat(reached.await(90, TimeUnit.SECONDS)).as("the restore is in the middle of its swap").isTrue();

        // on a thread of this test (its class loader), as a second replica's recovery
        CompletableFuture<Void> recovery = CompletableFuture.runAsync(() -> execution.recover(takeOver(id)),
                r -> Thread.ofPlatform().name("replica-b-recovery").start(r));
        // the takeover waits on the row the swap step holds
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.preparedQuery("select count(*) as n from pg_stat_activity"
                + " where wait_event_type = 'Lock' and query like 'update restore_job%lease_generation + 1%'")
                .execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getLong("n") == 1);
        assertThat(recovery).isNotDone();
        assertThat(row(id).getString("claimed_by")).isNotEqualTo("replica-b");

        release.countDown(); // the swap step ends; only then does the takeover, then the undo, run
        recovery.get(60, TimeUnit.SECONDS);
        afterSwap.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> !worker.runningHere().contains(UUID.fromString(id)));

        Row r = row(id);
        assertThat(r.getString("status")).isEqualTo("failed");
        assertThat(r.getString("claimed_by")).isEqualTo("replica-b");
        assertThat(r.getString("error")).startsWith("interrupted");
        assertThat(outcomeEvents(id)).as("the old worker recorded no outcome; the recovery one failure").isEqualTo(1);
        assertThat(OdooWorld.fingerprint(t.env())).as("the undo put the target back as it was")
                .isEqualTo(t.beforeRestore());
        await().atMost(Duration.ofSeconds(10)).until(() -> OdooWorld.leftovers().isEmpty());
    }

    private static void hold(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
