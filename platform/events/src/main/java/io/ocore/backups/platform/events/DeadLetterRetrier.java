package io.ocore.backups.platform.events;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Retries the service's due dead letters every {@code ocore.dead-letters.poll-interval}: each is
 * claimed for {@code ocore.dead-letters.lease} (replicas share the work), re-applied through
 * {@link EventHandling#redeliver}, and marked done on success or given its next attempt after the
 * backoff ({@link DeadLetterBackoff}). Retries never stop: an expiry is never dropped.
 */
@ApplicationScoped
public class DeadLetterRetrier {

    private final DeadLetterStore store;
    private final EventHandling handling;
    private final Duration lease;
    private final int batchSize;

    /**
     * @param lease how long a replica holds the dead letters it claimed for a retry before another replica may claim them
     * @param batchSize how many due dead letters one retry pass claims
     */
    public DeadLetterRetrier(DeadLetterStore store, EventHandling handling,
            @ConfigProperty(name = "ocore.dead-letters.lease", defaultValue = "10m") Duration lease,
            @ConfigProperty(name = "ocore.dead-letters.batch-size", defaultValue = "20") int batchSize) {
        this.store = store;
        this.handling = handling;
        this.lease = lease;
        this.batchSize = batchSize;
    }

    @Scheduled(every = "${ocore.dead-letters.poll-interval:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return retryDue().onFailure().recoverWithItem(e -> {
            Log.warnf("Dead-letter retries postponed: %s", e.getMessage());
            return null;
        }).replaceWithVoid();
    }

    /** Retries what is due now, one after the other; answers how many succeeded. */
    public Uni<Integer> retryDue() {
        return store.claimDue(batchSize, lease).chain(claimed -> Multi.createFrom().iterable(claimed)
                .onItem().transformToUniAndConcatenate(this::retry)
                .collect().asList()
                .map(results -> (int) results.stream().filter(Boolean::booleanValue).count()));
    }

    private Uni<Boolean> retry(DeadLetterStore.Claimed c) {
        return Uni.createFrom().item(() -> store.envelopeOf(c))
                .chain(envelope -> handling.redeliver(envelope, c.consumer(), c.topic())
                        .chain(() -> store.done(c.id()))
                        .invoke(() -> Log.infof(
                                "Dead letter %s (%s, event %s) retried to completion by %s after %d failed attempts",
                                c.id(), envelope.type(), envelope.id(), c.consumer(), c.attempts())))
                .replaceWith(true)
                .onFailure().recoverWithUni(e -> {
                    Log.warnf("Dead letter %s failed again for %s: %s; next attempt in %s", c.id(), c.consumer(),
                            DeadLetterStore.reason(e), store.backoff().after(c.attempts() + 1));
                    return store.failed(c, e).replaceWith(false);
                });
    }
}
