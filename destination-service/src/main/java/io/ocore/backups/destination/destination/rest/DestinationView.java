package io.ocore.backups.destination.destination.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ocore.backups.destination.destination.Destination;
import io.ocore.backups.destination.destination.DestinationCredentials;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A destination on the wire: secrets masked, {@code lastError} only while the last test failed. */
public record DestinationView(UUID id, String name, String destinationType, Map<String, Object> config,
        boolean isVerified, Instant lastTestedAt, @JsonInclude(JsonInclude.Include.NON_NULL) String lastError,
        Instant createdAt, Instant updatedAt) {

    static DestinationView of(Destination d) {
        return new DestinationView(d.id, d.name, d.destinationType.name(), DestinationCredentials.masked(d),
                d.isVerified, d.lastTestedAt, d.isVerified ? null : d.lastError, d.createdAt, d.updatedAt);
    }
}
