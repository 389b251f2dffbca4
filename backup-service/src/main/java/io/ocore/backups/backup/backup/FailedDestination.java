package io.ocore.backups.backup.backup;

import java.util.UUID;

/** A destination a backup could not be stored on, and why in plain words. */
public record FailedDestination(UUID destinationId, String reason) {
}
