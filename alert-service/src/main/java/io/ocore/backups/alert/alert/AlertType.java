package io.ocore.backups.alert.alert;

/** What an alert is about; the severity each kind gets is documented in docs/alerts.md. */
public enum AlertType {
    backup_failed(Severity.error),
    destination_unreachable(Severity.error),
    retention_warning(Severity.warning),
    backup_overdue(Severity.critical),
    restore_failed(Severity.error),
    /** Severity from the event: warning, then critical (WalArchiveFailed.severity). */
    wal_archive_failing(Severity.warning),
    wal_gap(Severity.critical),
    wal_conflict(Severity.critical),
    backup_corrupted(Severity.critical),
    backup_deletion_stuck(Severity.error),
    event_dead_lettered(Severity.error);

    private final Severity severity;

    AlertType(Severity severity) {
        this.severity = severity;
    }

    public Severity defaultSeverity() {
        return severity;
    }
}
