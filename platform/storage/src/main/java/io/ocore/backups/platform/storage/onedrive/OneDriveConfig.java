package io.ocore.backups.platform.storage.onedrive;

import io.ocore.backups.platform.storage.ConfigReader;
import io.ocore.backups.platform.storage.EndpointGuard;
import io.ocore.backups.platform.storage.Keys;
import io.ocore.backups.platform.storage.StorageOptions;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code onedrive}: {@code clientId, clientSecret, refreshToken}, optional {@code tenant}
 * ("common"), {@code driveId} (else the signed-in user's drive) and {@code folderPath} (else the
 * drive's root).
 */
public record OneDriveConfig(String clientId, String clientSecret, String refreshToken, String tenant, String driveId,
        String folderPath) {

    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9.\\-]{1,100}");

    static OneDriveConfig parse(ConfigReader r, StorageOptions options) {
        String clientId = r.required("clientId");
        String clientSecret = r.optionalRaw("clientSecret");
        if (clientSecret == null) {
            r.error("clientSecret", "is required");
        }
        String refreshToken = r.optionalRaw("refreshToken");
        if (refreshToken == null) {
            r.error("refreshToken", "is required");
        }
        String tenant = r.optional("tenant");
        if (tenant == null) {
            tenant = "common";
        } else if (!TENANT.matcher(tenant).matches()) {
            r.error("tenant", "must be 'common', 'organizations', 'consumers', a tenant ID or a domain");
        }
        String driveId = r.optional("driveId");
        if (driveId != null && !driveId.matches("[A-Za-z0-9!_\\-.]{1,200}")) {
            r.error("driveId", "is not a valid drive ID");
        }
        String folder = r.optional("folderPath");
        folder = folder == null ? "" : Keys.trimSlashes(folder);
        if (!folder.isEmpty()) {
            try {
                Keys.check(folder);
            } catch (RuntimeException e) {
                r.error("folderPath", "must be a folder path like 'Backups/odoo' without '.' or '..'");
            }
        }
        EndpointGuard.checkConfigured(options.graphBaseUrl(), options.allowPrivateEndpoints())
                .ifPresent(reason -> r.error("graphBaseUrl", reason));
        EndpointGuard.checkConfigured(options.microsoftAuthority(), options.allowPrivateEndpoints())
                .ifPresent(reason -> r.error("authority", reason));
        return new OneDriveConfig(clientId, clientSecret, refreshToken, tenant, driveId, folder);
    }

    public static OneDriveConfig parse(Map<String, Object> config, StorageOptions options) {
        ConfigReader r = new ConfigReader(config);
        OneDriveConfig c = parse(r, options);
        r.throwIfInvalid();
        return c;
    }

    @Override
    public String toString() {
        return "OneDriveConfig[tenant=" + tenant + ", driveId=" + driveId + ", folderPath=" + folderPath + "]";
    }
}
