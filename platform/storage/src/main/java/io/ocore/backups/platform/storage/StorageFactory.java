package io.ocore.backups.platform.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.storage.gdrive.GoogleDriveDriver;
import io.ocore.backups.platform.storage.local.LocalDriver;
import io.ocore.backups.platform.storage.onedrive.OneDriveDriver;
import io.ocore.backups.platform.storage.s3.S3Driver;
import io.ocore.backups.platform.storage.sftp.SftpDriver;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a decorated {@link BackupStorage} from a destination's type and decrypted config. The
 * only place that knows every driver.
 */
public final class StorageFactory {

    /** Config fields holding secrets, for masking in responses and logs. */
    public static final Set<String> SECRET_FIELDS =
            Set.of("secretAccessKey", "password", "privateKey", "passphrase", "clientSecret", "refreshToken");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<DestinationType, StorageDriver> DRIVERS = new EnumMap<>(DestinationType.class);

    static {
        for (StorageDriver d : List.of(new LocalDriver(), new S3Driver(), new SftpDriver(), new OneDriveDriver(),
                new GoogleDriveDriver())) {
            for (DestinationType t : d.types()) {
                DRIVERS.put(t, d);
            }
        }
    }

    private final StorageOptions options;

    public StorageFactory(StorageOptions options) {
        this.options = options;
    }

    public StorageOptions options() {
        return options;
    }

    /** Every bad field of {@code config} for {@code type}; empty when usable. */
    public List<ConfigError> validate(DestinationType type, Map<String, Object> config) {
        return DRIVERS.get(type).validate(type, config, options);
    }

    public List<ConfigError> validate(DestinationType type, JsonNode config) {
        return validate(type, toMap(config));
    }

    /** Opens the destination with retry and metrics around it; {@link InvalidConfigException} on a bad config. */
    public BackupStorage open(DestinationType type, Map<String, Object> config) {
        return open(type, config, options);
    }

    public BackupStorage open(DestinationType type, JsonNode config) {
        return open(type, toMap(config), options);
    }

    /** As {@link #open(DestinationType, JsonNode)}, its operations retried by {@code retry} instead. */
    public BackupStorage open(DestinationType type, JsonNode config, RetryPolicy retry) {
        return open(type, toMap(config), options.toBuilder().retryPolicy(retry).build());
    }

    /** As {@link #open(DestinationType, Map)} with per-destination options (e.g. a credential listener). */
    public static BackupStorage open(DestinationType type, Map<String, Object> config, StorageOptions options) {
        BackupStorage driver = DRIVERS.get(type).open(type, config, options);
        return Storages.decorate(driver, options.retryPolicy(), options.listener());
    }

    /**
     * The fields of {@code type} that say where its secrets go and differ between the stored config
     * and the requested one: a change that must come with the secrets again (else a user could send
     * the stored ones to a server of their own).
     */
    public static List<String> relocated(DestinationType type, Map<String, Object> stored, Map<String, Object> requested) {
        return DRIVERS.get(type).relocated(type, stored, requested);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> toMap(JsonNode config) {
        if (config == null || config.isNull() || config.isMissingNode()) {
            return Map.of();
        }
        if (!config.isObject()) {
            throw new InvalidConfigException(List.of(new ConfigError("config", "must be a JSON object")));
        }
        return JSON.convertValue(config, Map.class);
    }
}
