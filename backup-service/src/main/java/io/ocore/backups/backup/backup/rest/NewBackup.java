package io.ocore.backups.backup.backup.rest;

import java.util.List;

/** The body of {@code POST /api/environments/{envId}/backups}. */
public record NewBackup(String backupType, List<String> destinationIds) {
}
