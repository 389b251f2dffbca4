package io.ocore.backups.destination.destination.rest;

import java.util.Map;

/**
 * The body of {@code POST} and {@code PUT /api/backup-destinations}. {@code destinationType} is a
 * string so that an unknown type is reported together with every other bad field.
 */
public record DestinationRequest(String name, String destinationType, Map<String, Object> config) {
}
