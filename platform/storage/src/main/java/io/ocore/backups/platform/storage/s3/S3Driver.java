package io.ocore.backups.platform.storage.s3;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.ConfigError;
import io.ocore.backups.platform.storage.ConfigReader;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageDriver;
import io.ocore.backups.platform.storage.StorageOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class S3Driver implements StorageDriver {

    @Override
    public Set<DestinationType> types() {
        return Set.of(DestinationType.s3, DestinationType.s3_compatible);
    }

    @Override
    public List<ConfigError> validate(DestinationType type, Map<String, Object> config, StorageOptions options) {
        ConfigReader r = new ConfigReader(config);
        S3Config.parse(type, r, options, true);
        return r.errors();
    }

    @Override
    public Map<String, String> location(DestinationType type, Map<String, Object> config) {
        return S3Config.location(type, config);
    }

    @Override
    public BackupStorage open(DestinationType type, Map<String, Object> config, StorageOptions options) {
        return new S3Storage(type, S3Config.parse(type, config, options), options);
    }
}
