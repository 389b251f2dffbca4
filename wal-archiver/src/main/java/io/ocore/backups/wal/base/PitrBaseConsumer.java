package io.ocore.backups.wal.base;

import io.ocore.backups.platform.events.EventHandling;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupCompleted;
import io.ocore.backups.platform.events.v1.Events.BackupDeleted;
import io.ocore.backups.platform.events.v1.Events.PitrBase;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Keeps {@code pitr_base}: a {@code BackupCompleted} with a {@code pitrBase} adds its base, a
 * {@code BackupDeleted} removes it. Through EventHandling (inbox, dead letters).
 */
// @Startup: registers its handler for dead-letter retries before any message arrives (EventHandling.register).
@io.quarkus.runtime.Startup
@ApplicationScoped
public class PitrBaseConsumer {

    static final String CONSUMER = "wal-archiver";

    private final EventHandling handling;

    public PitrBaseConsumer(EventHandling handling) {
        this.handling = handling;
        handling.register(CONSUMER, Topics.BACKUP, this::apply);
    }

    @Incoming(Topics.BACKUP)
    public Uni<Void> backupEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    Uni<Void> apply(OcoreEvent event) {
        return switch (event) {
            case BackupCompleted e when e.pitrBase() != null -> record(e, e.pitrBase());
            case BackupDeleted e -> Panache.getSession().chain(s -> s.createNativeQuery(
                    "delete from pitr_base where backup_id = :id").setParameter("id", e.backupId()).executeUpdate())
                    .replaceWithVoid();
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> record(BackupCompleted e, PitrBase b) {
        return Panache.getSession()
                // the environment comes from environment-events: until it is known here the event
                // fails, is retried and, if it must, dead-lettered and retried later (docs/events.md)
                .chain(s -> s.createNativeQuery("select count(*) from environment where id = :id", Long.class)
                        .setParameter("id", e.environmentId()).getSingleResult()
                        .invoke(n -> {
                            if (n == 0) {
                                throw new IllegalStateException("environment " + e.environmentId()
                                        + " is not known to wal-archiver yet");
                            }
                        })
                        .chain(() -> s.createNativeQuery("""
                                insert into pitr_base (backup_id, org_id, environment_id, start_lsn, stop_lsn, timeline,
                                    start_wal_file, consistent_at, completed_at)
                                values (:backup, :org, :env, :start, :stop, :timeline, :file, :consistent, :completed)
                                on conflict (backup_id) do nothing""")
                                .setParameter("backup", e.backupId()).setParameter("org", e.orgId())
                                .setParameter("env", e.environmentId()).setParameter("start", b.startLsn())
                                .setParameter("stop", b.stopLsn()).setParameter("timeline", b.timeline())
                                .setParameter("file", b.startWalFile())
                                .setParameter("consistent", OffsetDateTime.ofInstant(b.consistentAt(), ZoneOffset.UTC))
                                .setParameter("completed", OffsetDateTime.ofInstant(e.completedAt(), ZoneOffset.UTC))
                                .executeUpdate()))
                .replaceWithVoid();
    }
}
