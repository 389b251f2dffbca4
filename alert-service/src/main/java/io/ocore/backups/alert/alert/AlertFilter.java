package io.ocore.backups.alert.alert;

import java.util.UUID;

/** The list filters of {@code GET /api/backup-alerts}; null means "any". */
public record AlertFilter(Boolean isRead, Severity severity, AlertType alertType, UUID environmentId) {
}
