package io.ocore.backups.alert.alert.event;

import io.ocore.backups.alert.alert.AlertService;
import io.ocore.backups.alert.alert.AlertService.Condition;
import io.ocore.backups.alert.alert.AlertType;
import io.ocore.backups.alert.alert.Severity;
import io.ocore.backups.platform.events.EventHandling;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupCorrupted;
import io.ocore.backups.platform.events.v1.Events.BackupDeleted;
import io.ocore.backups.platform.events.v1.Events.BackupDeletionStuck;
import io.ocore.backups.platform.events.v1.Events.BackupFailed;
import io.ocore.backups.platform.events.v1.Events.EventDeadLettered;
import io.ocore.backups.platform.events.v1.Events.BackupOverdue;
import io.ocore.backups.platform.events.v1.Events.DestinationFailed;
import io.ocore.backups.platform.events.v1.Events.DestinationRecovered;
import io.ocore.backups.platform.events.v1.Events.RestoreFailed;
import io.ocore.backups.platform.events.v1.Events.RetentionWarning;
import io.ocore.backups.platform.events.v1.Events.WalArchiveFailed;
import io.ocore.backups.platform.events.v1.Events.WalArchiveRecovered;
import io.ocore.backups.platform.events.v1.Events.WalConflictDetected;
import io.ocore.backups.platform.events.v1.Events.WalGapDetected;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Consumes every failure and warning event and turns it into an alert, once per event. */
// @Startup: registers its handlers for dead-letter retries before any message arrives (EventHandling.register).
@io.quarkus.runtime.Startup
@ApplicationScoped
public class AlertEventConsumer {

    static final String CONSUMER = "alert-service";

    private final EventHandling handling;
    private final AlertService alerts;

    public AlertEventConsumer(EventHandling handling, AlertService alerts) {
        this.handling = handling;
        handling.register(CONSUMER, Topics.BACKUP, this::apply);
        handling.register(CONSUMER, Topics.DESTINATION, this::apply);
        handling.register(CONSUMER, Topics.SCHEDULE, this::apply);
        handling.register(CONSUMER, Topics.RESTORE, this::apply);
        handling.register(CONSUMER, Topics.WAL, this::apply);
        handling.register(CONSUMER, Topics.OPERATIONS, this::apply);
        this.alerts = alerts;
    }

    @Incoming(Topics.BACKUP)
    public Uni<Void> backupEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    @Incoming(Topics.DESTINATION)
    public Uni<Void> destinationEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    @Incoming(Topics.SCHEDULE)
    public Uni<Void> scheduleEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    @Incoming(Topics.RESTORE)
    public Uni<Void> restoreEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    @Incoming(Topics.WAL)
    public Uni<Void> walEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    @Incoming(Topics.OPERATIONS)
    public Uni<Void> operationsEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    Uni<Void> apply(OcoreEvent event) {
        return switch (event) {
            case BackupFailed e -> raise(new Condition(e.orgId(), AlertType.backup_failed,
                    AlertType.backup_failed.defaultSeverity(),
                    "The " + e.trigger() + " " + e.backupType() + " backup " + e.backupId() + " failed: " + e.reason()
                            + ". Check the destinations' connection tests and the backup's error, then retry.",
                    e.environmentId(), null, e.backupId(), null, e.failedAt()));
            case DestinationFailed e -> raise(new Condition(e.orgId(), AlertType.destination_unreachable,
                    AlertType.destination_unreachable.defaultSeverity(),
                    "Destination \"" + e.destinationName() + "\" is unreachable (" + kind(e.failureKind()) + "): "
                            + e.message() + ". Test the destination and check its credentials.",
                    e.environmentId(), e.destinationId(), e.backupId(), "destination:" + e.destinationId(), e.failedAt()));
            case DestinationRecovered e -> alerts.resolve(e.orgId(), "destination:" + e.destinationId(),
                    "Recovered at " + e.recoveredAt() + ".", e.recoveredAt()).replaceWithVoid();
            case RetentionWarning e -> raise(new Condition(e.orgId(), AlertType.retention_warning,
                    AlertType.retention_warning.defaultSeverity(),
                    "Retention is running low: the " + e.tier() + " tier holds " + e.actual() + " of "
                            + e.expected() + " backups. " + e.message(),
                    e.environmentId(), null, null, "retention:" + e.environmentId() + ":" + e.tier(), Instant.now()));
            case BackupOverdue e -> raise(new Condition(e.orgId(), AlertType.backup_overdue,
                    AlertType.backup_overdue.defaultSeverity(),
                    "No successful " + ("db".equals(e.backupType()) ? "database (db)" : "full") + " backup since "
                            + (e.lastSuccessAt() == null ? "the schedule started" : e.lastSuccessAt().toString())
                            + " (expected by " + e.expectedBy() + "): the recovery point objective is at risk."
                            + " Look at the environment's failed backups and its destinations' alerts.",
                    e.environmentId(), null, null, "overdue:" + e.environmentId() + ":" + e.backupType(), Instant.now()));
            case RestoreFailed e -> raise(new Condition(e.orgId(), AlertType.restore_failed,
                    AlertType.restore_failed.defaultSeverity(),
                    "Restore " + e.restoreId() + " of backup " + e.backupId() + " failed and left the target as it was: "
                            + e.reason(),
                    e.targetEnvironmentId(), null, e.backupId(), null, e.failedAt()));
            case WalArchiveFailed e -> raise(new Condition(e.orgId(), AlertType.wal_archive_failing,
                    walSeverity(e.severity()), walFailingMessage(e),
                    e.environmentId(), null, null, "wal:" + e.environmentId(), Instant.now()));
            case WalArchiveRecovered e -> alerts.resolve(e.orgId(), "wal:" + e.environmentId(),
                    "WAL archiving caught up at " + e.recoveredAt() + ".", e.recoveredAt()).replaceWithVoid();
            case WalGapDetected e -> raise(new Condition(e.orgId(), AlertType.wal_gap,
                    AlertType.wal_gap.defaultSeverity(),
                    "Archived WAL is missing the files between " + e.lastSegmentBefore() + " and "
                            + e.firstSegmentAfter() + ": point-in-time recovery cannot cross this gap, so no time"
                            + " inside it can be restored. Take a new backup now so that recovery points after it"
                            + " are reachable, and check the server's archive_command log for why files were skipped.",
                    e.environmentId(), null, null,
                    "walgap:" + e.environmentId() + ":" + e.lastSegmentBefore() + ":" + e.firstSegmentAfter(),
                    Instant.now()));
            case WalConflictDetected e -> raise(new Condition(e.orgId(), AlertType.wal_conflict,
                    AlertType.wal_conflict.defaultSeverity(),
                    "The database server offered WAL file " + e.fileName() + " again with other contents than the"
                            + " copy already archived; it was refused and the archived copy kept. This usually means"
                            + " two servers archive into one environment (a restored copy or a second primary):"
                            + " stop archiving on the one that should not, and take a new backup.",
                    e.environmentId(), null, null, "walconflict:" + e.environmentId() + ":" + e.fileName(),
                    e.detectedAt()));
            case BackupCorrupted e -> raise(new Condition(e.orgId(), AlertType.backup_corrupted,
                    AlertType.backup_corrupted.defaultSeverity(),
                    "The copy of backup " + e.backupId() + " on destination \"" + e.destinationName() + "\" is "
                            + e.status() + " (found by " + e.detectedBy() + "): " + e.detail()
                            + ". Do not rely on it: take a new backup, then delete this one or verify it again.",
                    e.environmentId(), e.destinationId(), e.backupId(),
                    "corrupted:" + e.backupId() + ":" + e.destinationId(), e.detectedAt()));
            case BackupDeletionStuck e -> raise(new Condition(e.orgId(), AlertType.backup_deletion_stuck,
                    AlertType.backup_deletion_stuck.defaultSeverity(),
                    "The deletion of backup " + e.backupId() + " (requested " + e.requestedAt() + ") has not finished"
                            + " after " + e.attempts() + " attempt(s): " + e.reason()
                            + ". It keeps being retried; check the destinations and destination-service.",
                    e.environmentId(), null, e.backupId(), "deletion:" + e.backupId(), Instant.now()));
            case BackupDeleted e -> alerts.resolve(e.orgId(), "deletion:" + e.backupId(),
                    "Deleted at " + e.deletedAt() + ".", e.deletedAt()).replaceWithVoid();
            case EventDeadLettered e -> e.orgId() == null ? Uni.createFrom().voidItem()
                    : raise(new Condition(e.orgId(), AlertType.event_dead_lettered,
                            AlertType.event_dead_lettered.defaultSeverity(),
                            e.service() + " could not handle event " + e.eventId() + " (" + e.eventType() + ", topic "
                                    + e.topic() + ") after " + e.attempts() + " attempt(s): " + e.reason()
                                    + ". It is kept on the dead-letter topic and retried later.",
                            null, null, null, "deadletter:" + e.service() + ":" + e.eventId(), e.deadLetteredAt()));
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> raise(Condition c) {
        return alerts.raise(c).replaceWithVoid();
    }

    /** WalArchiveFailed carries warning or critical; anything else is taken as warning. */
    private static Severity walSeverity(String severity) {
        return "critical".equals(severity) ? Severity.critical : Severity.warning;
    }

    private static String walFailingMessage(WalArchiveFailed e) {
        String since = e.lastSuccessAt() == null ? "" : " The last file was archived at " + e.lastSuccessAt() + ".";
        return "WAL archiving has been failing since " + e.failingSince() + " (" + e.failedAttempts()
                + " failed attempt(s), last file " + e.segment() + ": " + e.reason() + ")." + since
                + " PostgreSQL keeps every unarchived WAL file in pg_wal and retries, so the server's disk fills"
                + " while this lasts: check that the environment's backup destinations are reachable (test them),"
                + " then watch the server's disk until archiving catches up.";
    }

    private static String kind(String failureKind) {
        return failureKind == null ? "unknown cause" : failureKind.toLowerCase().replace('_', ' ');
    }
}
