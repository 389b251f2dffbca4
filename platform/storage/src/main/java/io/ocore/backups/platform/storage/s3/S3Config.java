package io.ocore.backups.platform.storage.s3;

import io.ocore.backups.platform.storage.ConfigReader;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.EndpointGuard;
import io.ocore.backups.platform.storage.Keys;
import io.ocore.backups.platform.storage.Locations;
import io.ocore.backups.platform.storage.StorageOptions;
import java.net.URI;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code s3} and {@code s3_compatible}: {@code bucket, region, accessKeyId, secretAccessKey},
 * optional {@code endpoint} (required for s3_compatible) and {@code pathPrefix}. Path-style
 * addressing whenever an endpoint is given.
 */
public record S3Config(String bucket, String region, String accessKeyId, String secretAccessKey, URI endpoint,
        String pathPrefix, boolean pathStyle) {

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9\\-]{0,62}");

    /** {@code resolve}: judge the endpoint's addresses now (validation); else only what needs no DNS (open). */
    static S3Config parse(DestinationType type, ConfigReader r, StorageOptions options, boolean resolve) {
        String bucket = r.required("bucket");
        if (bucket != null && !BUCKET.matcher(bucket).matches()) {
            r.error("bucket", "must be 3 to 63 lowercase letters, digits, dots or hyphens");
        }
        String region = type == DestinationType.s3 ? r.required("region") : r.optional("region");
        if (region == null) {
            region = "us-east-1";
        } else if (!REGION.matcher(region).matches()) {
            r.error("region", "must look like 'eu-west-1'");
        }
        String accessKeyId = r.required("accessKeyId");
        String secret = r.optionalRaw("secretAccessKey");
        if (secret == null) {
            r.error("secretAccessKey", "is required");
        }
        String endpointRaw = type == DestinationType.s3_compatible ? r.required("endpoint") : r.optional("endpoint");
        URI endpoint = null;
        if (endpointRaw != null) {
            try {
                endpoint = URI.create(endpointRaw);
                var refused = resolve
                        ? EndpointGuard.check(endpoint, options.allowPrivateEndpoints(), options.resolver())
                        : EndpointGuard.checkWithoutResolving(endpoint, options.allowPrivateEndpoints());
                if (refused.isPresent()) {
                    r.error("endpoint", refused.get());
                } else if (endpoint.getRawPath() != null && !endpoint.getRawPath().isEmpty() && !endpoint.getRawPath().equals("/")) {
                    r.error("endpoint", "must not have a path; put folders in pathPrefix");
                }
            } catch (IllegalArgumentException e) {
                r.error("endpoint", "is not a valid URL");
            }
        }
        String prefix = r.optional("pathPrefix");
        prefix = prefix == null ? "" : Keys.trimSlashes(prefix);
        if (!prefix.isEmpty()) {
            try {
                Keys.check(prefix);
            } catch (RuntimeException e) {
                r.error("pathPrefix", "must be a relative path like 'backups/odoo' without '.' or '..'");
            }
        }
        return new S3Config(bucket, region, accessKeyId, secret, endpoint, prefix, endpoint != null);
    }

    public static S3Config parse(DestinationType type, Map<String, Object> config, StorageOptions options) {
        ConfigReader r = new ConfigReader(config);
        S3Config c = parse(type, r, options, false);
        r.throwIfInvalid();
        return c;
    }

    /** Where the secret goes: endpoint, bucket, region and prefix, normalised as parse would. */
    static Map<String, String> location(DestinationType type, Map<String, Object> config) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        String endpoint = Locations.text(config, "endpoint");
        if (endpoint != null) {
            endpoint = endpoint.toLowerCase(java.util.Locale.ROOT).replaceAll("/+$", "");
        }
        m.put("endpoint", endpoint);
        m.put("bucket", Locations.text(config, "bucket"));
        String region = Locations.text(config, "region");
        m.put("region", region == null && type == DestinationType.s3_compatible ? "us-east-1" : region);
        String prefix = Locations.text(config, "pathPrefix");
        m.put("pathPrefix", prefix == null ? "" : Keys.trimSlashes(prefix));
        return m;
    }

    @Override
    public String toString() {
        return "S3Config[bucket=" + bucket + ", region=" + region + ", endpoint=" + endpoint + ", pathPrefix="
                + pathPrefix + "]";
    }
}
