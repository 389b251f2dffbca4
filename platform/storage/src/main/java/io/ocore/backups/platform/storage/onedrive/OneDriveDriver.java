package io.ocore.backups.platform.storage.onedrive;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.ConfigError;
import io.ocore.backups.platform.storage.ConfigReader;
import io.ocore.backups.platform.storage.DestinationType;
import java.util.Locale;
import java.util.LinkedHashMap;
import io.ocore.backups.platform.storage.Locations;
import io.ocore.backups.platform.storage.Keys;
import io.ocore.backups.platform.storage.StorageDriver;
import io.ocore.backups.platform.storage.StorageOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class OneDriveDriver implements StorageDriver {

    @Override
    public Set<DestinationType> types() {
        return Set.of(DestinationType.onedrive);
    }

    @Override
    public List<ConfigError> validate(DestinationType type, Map<String, Object> config, StorageOptions options) {
        ConfigReader r = new ConfigReader(config);
        OneDriveConfig.parse(r, options);
        return r.errors();
    }

    @Override
    public BackupStorage open(DestinationType type, Map<String, Object> config, StorageOptions options) {
        return new OneDriveStorage(OneDriveConfig.parse(config, options), options);
    }

    /** The client secret and refresh token reach the operator's Microsoft endpoints; these say whose drive and where. */
    @Override
    public Map<String, String> location(DestinationType type, Map<String, Object> config) {
        Map<String, String> m = new LinkedHashMap<>();
        String tenant = Locations.text(config, "tenant");
        m.put("tenant", tenant == null ? "common" : tenant.toLowerCase(Locale.ROOT));
        m.put("driveId", Locations.text(config, "driveId"));
        String folder = Locations.text(config, "folderPath");
        m.put("folderPath", folder == null ? "" : Keys.trimSlashes(folder));
        return m;
    }
}
