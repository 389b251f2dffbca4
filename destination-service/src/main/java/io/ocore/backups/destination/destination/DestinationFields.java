package io.ocore.backups.destination.destination;

import io.ocore.backups.platform.storage.DestinationType;
import java.util.Map;
import java.util.Set;

/**
 * The config fields each destination type accepts (API.md), so a misspelt optional field is a 400
 * instead of a silently ignored value. The drivers validate the values; this only knows the names.
 */
final class DestinationFields {

    private static final Set<String> S3 = Set.of("bucket", "region", "accessKeyId", "secretAccessKey", "endpoint",
            "pathPrefix");

    private static final Map<DestinationType, Set<String>> FIELDS = Map.of(
            DestinationType.s3, S3,
            DestinationType.s3_compatible, S3,
            DestinationType.sftp, Set.of("host", "port", "username", "password", "privateKey", "passphrase", "path",
                    "hostKeyFingerprint"),
            DestinationType.local, Set.of("path"),
            DestinationType.onedrive, Set.of("clientId", "clientSecret", "refreshToken", "tenant", "driveId",
                    "folderPath"),
            DestinationType.gdrive, Set.of("clientId", "clientSecret", "refreshToken", "folderId"));

    private DestinationFields() {
    }

    static boolean accepts(DestinationType type, String field) {
        return FIELDS.get(type).contains(field);
    }
}
