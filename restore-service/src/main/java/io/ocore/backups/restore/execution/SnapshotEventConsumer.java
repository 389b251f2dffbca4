package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.events.EventHandling;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupCompleted;
import io.ocore.backups.platform.events.v1.Events.BackupFailed;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The outcome of the pre-restore snapshots restore-service asked for: BackupCompleted /
 * BackupFailed whose idempotency key is one of the awaited keys ({@code pre_restore:<restoreId>}).
 * Other backups' events are ignored.
 */
// @Startup: registers its handlers for dead-letter retries before any message arrives (EventHandling.register).
@io.quarkus.runtime.Startup
@ApplicationScoped
public class SnapshotEventConsumer {

    static final String CONSUMER = "restore-service";

    private final EventHandling handling;

    public SnapshotEventConsumer(EventHandling handling) {
        this.handling = handling;
        handling.register(CONSUMER, Topics.BACKUP, this::apply);
    }

    @Incoming(Topics.BACKUP)
    public Uni<Void> backupEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    Uni<Void> apply(OcoreEvent event) {
        return switch (event) {
            case BackupCompleted e when isOurs(e.idempotencyKey()) -> answer(e.idempotencyKey(), "completed", e.backupId(), null);
            case BackupFailed e when isOurs(e.idempotencyKey()) -> answer(e.idempotencyKey(), "failed", e.backupId(), e.reason());
            default -> Uni.createFrom().voidItem();
        };
    }

    private static boolean isOurs(String key) {
        return key != null && key.startsWith("pre_restore:");
    }

    private Uni<Void> answer(String key, String status, UUID backupId, String reason) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                update awaited_snapshot set status = :status, backup_id = :backup, reason = nullif(:reason, ''), answered_at = now()
                where idempotency_key = :key and status = 'waiting'""")
                .setParameter("status", status).setParameter("backup", backupId).setParameter("reason", reason == null ? "" : reason)
                .setParameter("key", key).executeUpdate()).replaceWithVoid();
    }
}
