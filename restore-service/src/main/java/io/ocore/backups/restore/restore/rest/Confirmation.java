package io.ocore.backups.restore.restore.rest;

/**
 * The optional body of {@code POST /api/environments/{envId}/neutralize}: {@code confirm} is the
 * environment's name, needed when it is a production environment.
 */
public record Confirmation(String confirm) {
}
