package io.ocore.backups.platform.storage.gdrive;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.ConfigError;
import io.ocore.backups.platform.storage.ConfigReader;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.Locations;
import io.ocore.backups.platform.storage.StorageDriver;
import io.ocore.backups.platform.storage.StorageOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class GoogleDriveDriver implements StorageDriver {

    @Override
    public Set<DestinationType> types() {
        return Set.of(DestinationType.gdrive);
    }

    @Override
    public List<ConfigError> validate(DestinationType type, Map<String, Object> config, StorageOptions options) {
        ConfigReader r = new ConfigReader(config);
        GoogleDriveConfig.parse(r, options);
        return r.errors();
    }

    @Override
    public BackupStorage open(DestinationType type, Map<String, Object> config, StorageOptions options) {
        return new GoogleDriveStorage(GoogleDriveConfig.parse(config, options), options);
    }

    /** The client secret and refresh token reach the operator's Google endpoints; the folder says where backups go. */
    @Override
    public Map<String, String> location(DestinationType type, Map<String, Object> config) {
        String folder = Locations.text(config, "folderId");
        return Map.of("folderId", folder == null ? "root" : folder);
    }
}
