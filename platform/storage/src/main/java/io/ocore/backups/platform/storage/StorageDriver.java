package io.ocore.backups.platform.storage;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** One driver package's entry point: parses and validates its config, opens its storage. */
public interface StorageDriver {

    Set<DestinationType> types();

    /** Every bad field at once; empty when the config is usable. Does no network I/O besides DNS. */
    List<ConfigError> validate(DestinationType type, Map<String, Object> config, StorageOptions options);

    /** Opens the undecorated driver; throws {@link InvalidConfigException} on a bad config. */
    BackupStorage open(DestinationType type, Map<String, Object> config, StorageOptions options);
}
