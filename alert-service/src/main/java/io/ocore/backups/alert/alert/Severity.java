package io.ocore.backups.alert.alert;

/** The seed's four severities, mildest first. */
public enum Severity {
    info, warning, error, critical
}
