package io.ocore.backups.platform.storage;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** One driver package's entry point: parses and validates its config, opens its storage. */
public interface StorageDriver {

    Set<DestinationType> types();

    /** Every bad field at once; empty when the config is usable. Does no network I/O besides DNS. */
    List<ConfigError> validate(DestinationType type, Map<String, Object> config, StorageOptions options);

    /** Opens the undecorated driver; throws {@link InvalidConfigException} on a bad config. */
    BackupStorage open(DestinationType type, Map<String, Object> config, StorageOptions options);

    /**
     * The fields that say where (and as whom) the destination's secrets are presented, normalised so
     * that equal means the same place; a config is not validated first. Empty for types without secrets.
     */
    Map<String, String> location(DestinationType type, Map<String, Object> config);

    /** The location fields that differ between {@code before} and {@code after}, in {@link #location} order. */
    default List<String> relocated(DestinationType type, Map<String, Object> before, Map<String, Object> after) {
        Map<String, String> a = location(type, before);
        Map<String, String> b = location(type, after);
        return a.keySet().stream().filter(k -> !Objects.equals(a.get(k), b.get(k))).toList();
    }
}
