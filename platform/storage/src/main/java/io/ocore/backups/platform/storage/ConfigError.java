package io.ocore.backups.platform.storage;

/** One bad field of a destination config, in the shape of the API's validation errors. */
public record ConfigError(String field, String message) {
}
