package io.ocore.backups.platform.storage.s3;

import io.ocore.backups.platform.storage.DestinationType;
import java.util.Map;

/** {@code s3_compatible}: endpoint required, path-style, no pathPrefix. */
class S3CompatibleStorageTest extends S3StorageTest {

    @Override
    protected DestinationType type() {
        return DestinationType.s3_compatible;
    }

    @Override
    protected Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.remove("region");
        c.remove("pathPrefix");
        return c;
    }

    @Override
    void objectsLiveUnderThePathPrefix() {
        // no prefix configured here
    }
}
