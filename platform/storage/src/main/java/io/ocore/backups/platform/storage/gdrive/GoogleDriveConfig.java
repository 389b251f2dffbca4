package io.ocore.backups.platform.storage.gdrive;

import io.ocore.backups.platform.storage.ConfigReader;
import io.ocore.backups.platform.storage.EndpointGuard;
import io.ocore.backups.platform.storage.StorageOptions;
import java.util.Map;

/**
 * {@code gdrive}: {@code clientId, clientSecret, refreshToken}, optional {@code folderId} (the Drive
 * folder that holds the backups; default "root", the user's My Drive).
 */
public record GoogleDriveConfig(String clientId, String clientSecret, String refreshToken, String folderId) {

    static GoogleDriveConfig parse(ConfigReader r, StorageOptions options) {
        String clientId = r.required("clientId");
        String clientSecret = r.optionalRaw("clientSecret");
        if (clientSecret == null) {
            r.error("clientSecret", "is required");
        }
        String refreshToken = r.optionalRaw("refreshToken");
        if (refreshToken == null) {
            r.error("refreshToken", "is required");
        }
        String folderId = r.optional("folderId");
        if (folderId == null) {
            folderId = "root";
        } else if (!folderId.matches("[A-Za-z0-9_\\-]{1,200}")) {
            r.error("folderId", "must be a Drive folder ID (the last part of the folder's URL)");
        }
        EndpointGuard.checkConfigured(options.driveBaseUrl(), options.allowPrivateEndpoints())
                .ifPresent(reason -> r.error("driveBaseUrl", reason));
        EndpointGuard.checkConfigured(options.googleTokenUrl(), options.allowPrivateEndpoints())
                .ifPresent(reason -> r.error("tokenUrl", reason));
        return new GoogleDriveConfig(clientId, clientSecret, refreshToken, folderId);
    }

    public static GoogleDriveConfig parse(Map<String, Object> config, StorageOptions options) {
        ConfigReader r = new ConfigReader(config);
        GoogleDriveConfig c = parse(r, options);
        r.throwIfInvalid();
        return c;
    }

    @Override
    public String toString() {
        return "GoogleDriveConfig[folderId=" + folderId + "]";
    }
}
