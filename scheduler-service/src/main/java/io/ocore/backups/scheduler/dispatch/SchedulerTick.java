package io.ocore.backups.scheduler.dispatch;

import io.ocore.backups.scheduler.retention.RetentionService;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Every tick: dispatch due schedules, report overdue ones, expire old snapshots. */
@ApplicationScoped
public class SchedulerTick {

    private final Dispatcher dispatcher;
    private final RetentionService retention;

    public SchedulerTick(Dispatcher dispatcher, RetentionService retention) {
        this.dispatcher = dispatcher;
        this.retention = retention;
    }

    @Scheduled(every = "${ocore.scheduler.tick:60s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return dispatcher.dispatchDue()
                .invoke(n -> {
                    if (n > 0) {
                        Log.infof("Requested %d scheduled backups", n);
                    }
                })
                .chain(dispatcher::reportOverdue)
                .chain(retention::expireSnapshots)
                .onFailure().invoke(e -> Log.warnf(e, "Scheduler tick failed; the next tick retries"))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
