package io.ocore.backups.backup.backup;

public enum Trigger {
    manual, scheduled, pre_restore
}
