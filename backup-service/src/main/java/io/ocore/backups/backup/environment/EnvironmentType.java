package io.ocore.backups.backup.environment;

public enum EnvironmentType {
    production, staging, development
}
