package io.ocore.backups.platform.storage;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Operator settings that apply to every destination a service opens, plus the per-destination
 * hooks (credential rotation). Immutable; build with {@link #builder()}, copy with {@link #toBuilder()}.
 */
public final class StorageOptions {

    private final List<Path> allowedLocalRoots;
    private final boolean allowPrivateEndpoints;
    private final URI graphBaseUrl;
    private final URI microsoftAuthority;
    private final URI driveBaseUrl;
    private final URI googleTokenUrl;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration maxRetryAfter;
    private final int uploadChunkBytes;
    private final Path spoolDirectory;
    private final CredentialListener credentialListener;
    private final StorageListener listener;
    private final RetryPolicy retryPolicy;
    private final HostResolver resolver;

    private StorageOptions(Builder b) {
        this.allowedLocalRoots = List.copyOf(b.allowedLocalRoots);
        this.allowPrivateEndpoints = b.allowPrivateEndpoints;
        this.graphBaseUrl = b.graphBaseUrl;
        this.microsoftAuthority = b.microsoftAuthority;
        this.driveBaseUrl = b.driveBaseUrl;
        this.googleTokenUrl = b.googleTokenUrl;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.maxRetryAfter = b.maxRetryAfter;
        this.uploadChunkBytes = b.uploadChunkBytes;
        this.spoolDirectory = b.spoolDirectory;
        this.credentialListener = b.credentialListener;
        this.listener = b.listener;
        this.retryPolicy = b.retryPolicy;
        this.resolver = b.resolver;
    }

    public static StorageOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.allowedLocalRoots = allowedLocalRoots;
        b.allowPrivateEndpoints = allowPrivateEndpoints;
        b.graphBaseUrl = graphBaseUrl;
        b.microsoftAuthority = microsoftAuthority;
        b.driveBaseUrl = driveBaseUrl;
        b.googleTokenUrl = googleTokenUrl;
        b.connectTimeout = connectTimeout;
        b.requestTimeout = requestTimeout;
        b.maxRetryAfter = maxRetryAfter;
        b.uploadChunkBytes = uploadChunkBytes;
        b.spoolDirectory = spoolDirectory;
        b.credentialListener = credentialListener;
        b.listener = listener;
        b.retryPolicy = retryPolicy;
        b.resolver = resolver;
        return b;
    }

    /** Absolute folders under which {@code local} destinations may live; empty means none allowed. */
    public List<Path> allowedLocalRoots() {
        return allowedLocalRoots;
    }

    /** Whether user-supplied endpoints may be loopback or private addresses (never link-local/metadata). */
    public boolean allowPrivateEndpoints() {
        return allowPrivateEndpoints;
    }

    /** Microsoft Graph base, {@code https://graph.microsoft.com/v1.0}; overridable for tests. */
    public URI graphBaseUrl() {
        return graphBaseUrl;
    }

    /** Microsoft identity platform authority, {@code https://login.microsoftonline.com}. */
    public URI microsoftAuthority() {
        return microsoftAuthority;
    }

    /** Google APIs base, {@code https://www.googleapis.com} (Drive v3 and its upload endpoint). */
    public URI driveBaseUrl() {
        return driveBaseUrl;
    }

    /** Google OAuth2 token endpoint, {@code https://oauth2.googleapis.com/token}. */
    public URI googleTokenUrl() {
        return googleTokenUrl;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Timeout of one request (one part, one chunk, one listing page), not of a whole upload. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** The longest Retry-After a driver honours before giving up as {@code TRANSIENT}. */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** Upload part/chunk size in bytes; 0 means each driver's default. Drivers round to their protocol's unit. */
    public int uploadChunkBytes() {
        return uploadChunkBytes;
    }

    /** Where drivers that need the total size up front spool a stream; defaults to java.io.tmpdir. */
    public Path spoolDirectory() {
        return spoolDirectory;
    }

    public CredentialListener credentialListener() {
        return credentialListener;
    }

    public StorageListener listener() {
        return listener;
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** Resolves user-supplied hosts (S3 endpoints, SFTP hosts) for the guard; each storage pins what it answered. */
    public HostResolver resolver() {
        return resolver;
    }

    public static final class Builder {
        private List<Path> allowedLocalRoots = List.of();
        private boolean allowPrivateEndpoints;
        private URI graphBaseUrl = URI.create("https://graph.microsoft.com/v1.0");
        private URI microsoftAuthority = URI.create("https://login.microsoftonline.com");
        private URI driveBaseUrl = URI.create("https://www.googleapis.com");
        private URI googleTokenUrl = URI.create("https://oauth2.googleapis.com/token");
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofMinutes(2);
        private Duration maxRetryAfter = Duration.ofSeconds(120);
        private int uploadChunkBytes;
        private Path spoolDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private CredentialListener credentialListener = CredentialListener.NONE;
        private StorageListener listener = StorageListener.NONE;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private HostResolver resolver = HostResolver.SYSTEM;

        public Builder allowedLocalRoots(List<Path> roots) {
            this.allowedLocalRoots = List.copyOf(roots);
            return this;
        }

        public Builder allowPrivateEndpoints(boolean allow) {
            this.allowPrivateEndpoints = allow;
            return this;
        }

        public Builder graphBaseUrl(URI uri) {
            this.graphBaseUrl = Objects.requireNonNull(uri);
            return this;
        }

        public Builder microsoftAuthority(URI uri) {
            this.microsoftAuthority = Objects.requireNonNull(uri);
            return this;
        }

        public Builder driveBaseUrl(URI uri) {
            this.driveBaseUrl = Objects.requireNonNull(uri);
            return this;
        }

        public Builder googleTokenUrl(URI uri) {
            this.googleTokenUrl = Objects.requireNonNull(uri);
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d);
            return this;
        }

        public Builder requestTimeout(Duration d) {
            this.requestTimeout = Objects.requireNonNull(d);
            return this;
        }

        public Builder maxRetryAfter(Duration d) {
            this.maxRetryAfter = Objects.requireNonNull(d);
            return this;
        }

        public Builder uploadChunkBytes(int bytes) {
            this.uploadChunkBytes = bytes;
            return this;
        }

        public Builder spoolDirectory(Path dir) {
            this.spoolDirectory = Objects.requireNonNull(dir);
            return this;
        }

        public Builder credentialListener(CredentialListener l) {
            this.credentialListener = Objects.requireNonNull(l);
            return this;
        }

        public Builder listener(StorageListener l) {
            this.listener = Objects.requireNonNull(l);
            return this;
        }

        public Builder retryPolicy(RetryPolicy p) {
            this.retryPolicy = Objects.requireNonNull(p);
            return this;
        }

        public Builder resolver(HostResolver r) {
            this.resolver = Objects.requireNonNull(r);
            return this;
        }

        public StorageOptions build() {
            return new StorageOptions(this);
        }
    }
}
