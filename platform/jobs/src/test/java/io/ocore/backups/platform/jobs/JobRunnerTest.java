package io.ocore.backups.platform.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobRunnerTest {

    /** Jobs in a queue; each waits on a latch so the test decides when it ends. */
    static final class QueueJobs implements JobRunner.Jobs<AtomicInteger> {
        final ConcurrentLinkedQueue<UUID> pending = new ConcurrentLinkedQueue<>();
        final List<String> journal = new CopyOnWriteArrayList<>();
        final AtomicInteger runningNow = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final AtomicInteger saves = new AtomicInteger();
        volatile CountDownLatch release = new CountDownLatch(1);
        volatile UUID crashing;

        @Override
        public Lease claimNext(String node) {
            UUID id = pending.poll();
            return id == null ? null : new Lease(id, node, 1);
        }

        @Override
        public boolean holds(Lease lease) {
            return true;
        }

        @Override
        public AtomicInteger progressOf(Job job) {
            return new AtomicInteger();
        }

        @Override
        public void run(Job job, AtomicInteger progress) {
            UUID id = job.id();
            mostAtOnce.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
            try {
                progress.set(50);
                release.await(30, TimeUnit.SECONDS);
                if (id.equals(crashing)) {
                    throw new JobRunner.SimulatedCrash("test") { };
                }
                journal.add("done " + id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                runningNow.decrementAndGet();
            }
        }

        @Override
        public boolean saveProgress(Job job, AtomicInteger progress) {
            saves.incrementAndGet();
            return true;
        }

        @Override
        public int recoverInterrupted(String node, Set<UUID> runningHere) {
            journal.add("recover " + node + " " + runningHere.size());
            return 0;
        }
    }

    final QueueJobs jobs = new QueueJobs();
    JobRunner<?> runner;

    @AfterEach
    void stop() {
        jobs.release.countDown();
        if (runner != null) {
            runner.stop();
        }
    }

    @Test
    void recoversFirstThenRunsAtMostMaxConcurrentAndClaimsTheNextWhenOneEnds() {
        for (int i = 0; i < 5; i++) {
            jobs.pending.add(UUID.randomUUID());
        }
        runner = new JobRunner<>("test", "node-a", 2, Duration.ofMillis(50), jobs);
        runner.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> runner.runningHere().size() == 2);
        assertThat(jobs.journal).first().isEqualTo("recover node-a 0");
        assertThat(jobs.pending).hasSize(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs.saves.get() >= 2); // progress is saved while they run

        jobs.release.countDown(); // every job may end now; the runner claims the rest without a poll
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs.journal.stream().filter(l -> l.startsWith("done")).count() == 5);
        assertThat(jobs.mostAtOnce.get()).isEqualTo(2);
        assertThat(runner.runningHere()).isEmpty();
    }

    @Test
    void aSimulatedCrashRecordsNothingAndFreesTheSlot() {
        UUID crash = UUID.randomUUID();
        UUID next = UUID.randomUUID();
        jobs.crashing = crash;
        jobs.pending.add(crash);
        jobs.pending.add(next);
        jobs.release.countDown();
        runner = new JobRunner<>("test", "node-a", 1, Duration.ofSeconds(1), jobs);
        runner.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> jobs.journal.contains("done " + next));
        assertThat(jobs.journal).doesNotContain("done " + crash);
        assertThat(runner.recoverInterrupted()).isZero();
        assertThat(jobs.journal).last().isEqualTo("recover node-a 0");
    }

    /**
     * One job whose worker blocks the way pg_dump waiting on a lock does: reading the stdout of a
     * subprocess that writes nothing (a read the thread's interrupt cannot wake). Records its
     * outcome as a service would: nothing when the lease is lost, else the runner's stop reason.
     */
    static final class BlockedJobs implements JobRunner.Jobs<AtomicLong> {
        final ConcurrentLinkedQueue<UUID> pending = new ConcurrentLinkedQueue<>();
        final List<String> recorded = new CopyOnWriteArrayList<>();
        final Set<UUID> lost = ConcurrentHashMap.newKeySet();
        final CountDownLatch started = new CountDownLatch(1);
        volatile boolean moving;

        @Override
        public Lease claimNext(String node) {
            UUID id = pending.poll();
            return id == null ? null : new Lease(id, node, 7);
        }

        @Override
        public boolean holds(Lease lease) {
            return !lost.contains(lease.id());
        }

        @Override
        public AtomicLong progressOf(Job job) {
            return new AtomicLong();
        }

        @Override
        public void run(Job job, AtomicLong bytes) {
            try {
                Process p = new ProcessBuilder("sleep", "600").start();
                Job.watchCurrent(p);
                started.countDown();
                Thread mover = Thread.ofVirtual().start(() -> {
                    while (moving && p.isAlive()) {
                        bytes.incrementAndGet();
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                int r = p.getInputStream().read(); // returns only once the process is gone
                mover.interrupt();
                job.checkLease(); // before the outcome, like every external write
                recorded.add("failed: " + (job.stopReason() != null ? job.stopReason() : "pg_dump ended " + r));
            } catch (java.io.IOException e) {
                recorded.add("failed: " + e.getMessage());
            }
        }

        @Override
        public boolean saveProgress(Job job, AtomicLong bytes) {
            return holds(job.lease());
        }

        @Override
        public long bytesOf(AtomicLong bytes) {
            return bytes.get();
        }

        @Override
        public String activityOf(AtomicLong bytes) {
            return "dumping the database";
        }

        @Override
        public int recoverInterrupted(String node, Set<UUID> runningHere) {
            return 0;
        }
    }

    final BlockedJobs blocked = new BlockedJobs();

    @Test
    void aJobWhoseLeaseIsLostIsStoppedAtOnceAndRecordsNothing() throws Exception {
        UUID id = UUID.randomUUID();
        blocked.pending.add(id);
        runner = new JobRunner<>("test", "node-a", 1, Duration.ofMillis(50),
                new JobRunner.Limits(Duration.ofMinutes(10), Duration.ofHours(12)), blocked);
        runner.start();
        assertThat(blocked.started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(runner.runningHere()).containsExactly(id);

        blocked.lost.add(id); // another instance took it over: the next heartbeat updates 0 rows

        await().atMost(Duration.ofSeconds(10)).until(() -> runner.runningHere().isEmpty());
        assertThat(blocked.recorded).as("a worker that lost its lease records no outcome").isEmpty();
    }

    @Test
    void aJobWhoseBytesDoNotMoveFailsAsStalledAndItsSubprocessIsKilled() throws Exception {
        blocked.pending.add(UUID.randomUUID());
        runner = new JobRunner<>("test", "node-a", 1, Duration.ofMillis(50),
                new JobRunner.Limits(Duration.ofMillis(300), Duration.ofHours(12)), blocked);
        runner.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> !blocked.recorded.isEmpty());
        assertThat(blocked.recorded).containsExactly("failed: stalled: no progress for 300ms while dumping the database");
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.runningHere().isEmpty());
    }

    @Test
    void aJobThatKeepsMovingStillEndsAtItsDeadline() throws Exception {
        blocked.moving = true;
        blocked.pending.add(UUID.randomUUID());
        runner = new JobRunner<>("test", "node-a", 1, Duration.ofMillis(50),
                new JobRunner.Limits(Duration.ofSeconds(2), Duration.ofSeconds(4)), blocked);
        runner.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> !blocked.recorded.isEmpty());
        assertThat(blocked.recorded)
                .containsExactly("failed: exceeded its maximum duration of 4s while dumping the database");
    }

    @Test
    void durationsReadAsConfigured() {
        assertThat(JobRunner.human(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(JobRunner.human(Duration.ofHours(12))).isEqualTo("12h");
        assertThat(JobRunner.human(Duration.ofSeconds(90))).isEqualTo("90s");
    }

    @Test
    void aBlankNodeNameIsTheHostName() {
        runner = new JobRunner<>("test", " ", 1, Duration.ofSeconds(1), jobs);
        assertThat(runner.node()).isNotBlank().isNotEqualTo(" ");
    }
}
