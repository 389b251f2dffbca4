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
        public UUID claimNext(String node) {
            return pending.poll();
        }

        @Override
        public AtomicInteger progressOf(UUID id) {
            return new AtomicInteger();
        }

        @Override
        public void run(UUID id, AtomicInteger progress) {
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
        public void saveProgress(AtomicInteger progress) {
            saves.incrementAndGet();
        }

        @Override
        public int recoverInterrupted(String node, Set<UUID> runningHere) {
            journal.add("recover " + node + " " + runningHere.size());
            return 0;
        }
    }

    final QueueJobs jobs = new QueueJobs();
    JobRunner<AtomicInteger> runner;

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

    @Test
    void aBlankNodeNameIsTheHostName() {
        runner = new JobRunner<>("test", " ", 1, Duration.ofSeconds(1), jobs);
        assertThat(runner.node()).isNotBlank().isNotEqualTo(" ");
    }
}
