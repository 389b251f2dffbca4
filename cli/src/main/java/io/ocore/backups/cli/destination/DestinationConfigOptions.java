package io.ocore.backups.cli.destination;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The non-secret {@code config} fields of a destination, one flag each. */
public class DestinationConfigOptions {

    @Option(names = "--bucket", paramLabel = "BUCKET", description = "s3, s3_compatible: bucket name.")
    String bucket;

    @Option(names = "--region", paramLabel = "REGION", description = "s3, s3_compatible: region, e.g. eu-west-1.")
    String region;

    @Option(names = "--access-key-id", paramLabel = "ID",
            description = "s3, s3_compatible: access key id (else OCORE_ACCESS_KEY_ID, AWS_ACCESS_KEY_ID, --secrets-file, prompt).")
    String accessKeyId;

    @Option(names = "--endpoint", paramLabel = "URL", description = "s3: custom endpoint; s3_compatible: required.")
    String endpoint;

    @Option(names = "--path-prefix", paramLabel = "PREFIX", description = "s3, s3_compatible: key prefix.")
    String pathPrefix;

    @Option(names = "--host", paramLabel = "HOST", description = "sftp: server host.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "sftp: server port (server default 22).")
    Integer port;

    @Option(names = "--username", paramLabel = "USER", description = "sftp: login.")
    String username;

    @Option(names = "--path", paramLabel = "PATH", description = "sftp: remote directory; local: absolute directory.")
    String path;

    @Option(names = "--host-key-fingerprint", paramLabel = "SHA256:...",
            description = "sftp: pinned host key (pinned on the first successful test if absent).")
    String hostKeyFingerprint;

    @Option(names = "--client-id", paramLabel = "ID", description = "onedrive, gdrive: OAuth client id.")
    String clientId;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "onedrive: Azure AD tenant.")
    String tenant;

    @Option(names = "--drive-id", paramLabel = "ID", description = "onedrive: drive id.")
    String driveId;

    @Option(names = "--folder-path", paramLabel = "PATH", description = "onedrive: folder path.")
    String folderPath;

    @Option(names = "--folder-id", paramLabel = "ID", description = "gdrive: folder id.")
    String folderId;

    /** The config fields given on the command line, by API field name. */
    Map<String, Object> given() {
        Map<String, Object> values = new LinkedHashMap<>();
        put(values, "bucket", bucket);
        put(values, "region", region);
        put(values, "accessKeyId", accessKeyId);
        put(values, "endpoint", endpoint);
        put(values, "pathPrefix", pathPrefix);
        put(values, "host", host);
        put(values, "port", port);
        put(values, "username", username);
        put(values, "path", path);
        put(values, "hostKeyFingerprint", hostKeyFingerprint);
        put(values, "clientId", clientId);
        put(values, "tenant", tenant);
        put(values, "driveId", driveId);
        put(values, "folderPath", folderPath);
        put(values, "folderId", folderId);
        return values;
    }

    private static void put(Map<String, Object> values, String key, Object value) {
        if (value != null) {
            values.put(key, value);
        }
    }
}
