package io.ocore.backups.platform.destinations;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.InvalidConfigException;
import io.ocore.backups.platform.storage.RetryPolicy;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageFactory;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** Opens a destination's storage: config from destination-service, driver from the factory. Blocking. */
@ApplicationScoped
public class Destinations {

    /** An opened destination, or why it could not be opened. */
    public record Opened(UUID id, String name, BackupStorage storage, String failureKind, String failure) {
        public boolean ok() {
            return storage != null;
        }
    }

    /** {@link Opened#failureKind()}: destination-service answered 404 for it. */
    public static final String NOT_FOUND = "NOT_FOUND";
    /** {@link Opened#failureKind()}: destination-service could not be reached or answered an error. */
    public static final String UNREACHABLE = "TRANSIENT";

    private final DestinationClient client;
    private final StorageFactory factory;

    public Destinations(DestinationClient client, StorageFactory factory) {
        this.client = client;
        this.factory = factory;
    }

    public Opened open(UUID orgId, UUID destinationId) {
        return open(orgId, destinationId, null);
    }

    /**
     * As {@link #open(UUID, UUID)}, the storage's operations retried by {@code retry} instead of the
     * factory's policy (null: the factory's): for callers that are themselves retried later and
     * must not spend seconds of backoff on a destination that cannot be reached.
     */
    public Opened open(UUID orgId, UUID destinationId, RetryPolicy retry) {
        DestinationClient.Destination d;
        try {
            d = client.get(orgId, destinationId);
        } catch (DestinationClient.DestinationNotFound e) {
            // a definite 404: this destination no longer exists in this organisation
            return new Opened(destinationId, destinationId.toString(), null, NOT_FOUND, e.getMessage());
        } catch (DestinationClient.DestinationUnavailable e) {
            // destination-service unreachable, timed out or erring: worth retrying, not "gone"
            return new Opened(destinationId, destinationId.toString(), null, UNREACHABLE, e.getMessage());
        }
        try {
            DestinationType type = DestinationType.of(d.destinationType());
            BackupStorage storage = retry == null ? factory.open(type, d.config())
                    : factory.open(type, d.config(), retry);
            return new Opened(destinationId, d.name(), storage, null, null);
        } catch (InvalidConfigException e) {
            return new Opened(destinationId, d.name(), null, "PERMANENT", "its configuration is not usable: "
                    + e.getMessage());
        } catch (StorageException e) {
            return new Opened(destinationId, d.name(), null, e.kind().name(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Opened(destinationId, d.name(), null, "PERMANENT", e.getMessage());
        }
    }
}
