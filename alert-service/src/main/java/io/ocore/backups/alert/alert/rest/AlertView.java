package io.ocore.backups.alert.alert.rest;

import io.ocore.backups.alert.alert.Alert;
import java.time.Instant;
import java.util.UUID;

/** An alert on the wire. */
public record AlertView(UUID id, String alertType, String severity, String message, boolean isRead,
        UUID environmentId, UUID destinationId, UUID backupId, int occurrences, Instant firstSeenAt,
        Instant lastSeenAt, Instant resolvedAt, Instant createdAt) {

    static AlertView of(Alert a) {
        return new AlertView(a.id, a.alertType.name(), a.severity.name(), a.message, a.isRead, a.environmentId,
                a.destinationId, a.backupId, a.occurrences, a.firstSeenAt, a.lastSeenAt, a.resolvedAt, a.createdAt);
    }
}
