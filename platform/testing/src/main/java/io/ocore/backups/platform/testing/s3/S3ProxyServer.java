package io.ocore.backups.platform.testing.s3;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API server in this JVM (s3proxy over a jclouds blob store), for tests:
 * {@code try (var s3 = S3ProxyServer.inMemory().start()) { s3.createBucket("b"); s3.endpoint(); }}.
 * Clients need path-style addressing and, with the AWS SDK v2, checksum calculation WHEN_REQUIRED.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String REGION = "us-east-1";

    private final String provider;
    private final Path directory;
    private final String accessKey = "ocore-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final String secretKey = UUID.randomUUID().toString().replace("-", "");
    private BlobStoreContext context;
    private S3Proxy proxy;

    private S3ProxyServer(String provider, Path directory) {
        this.provider = provider;
        this.directory = directory;
    }

    /** Objects held in memory (transient-nio2): fast, for small and medium objects. */
    public static S3ProxyServer inMemory() {
        return new S3ProxyServer("transient-nio2", null);
    }

    /** Objects stored as files under {@code directory} (filesystem-nio2): for large objects. */
    public static S3ProxyServer onDisk(Path directory) {
        return new S3ProxyServer("filesystem-nio2", directory);
    }

    private boolean ignoreUnknownHeaders;

    /**
     * Accept headers s3proxy does not implement (such as {@code x-amz-checksum-crc32c}) instead of
     * answering 501 NotImplemented; s3proxy then stores the upload without checking them.
     */
    public synchronized S3ProxyServer ignoringUnknownHeaders() {
        this.ignoreUnknownHeaders = true;
        return this;
    }

    public synchronized S3ProxyServer start() {
        if (proxy != null) {
            return this;
        }
        Properties overrides = new Properties();
        if (directory != null) {
            overrides.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        }
        context = ContextBuilder.newBuilder(provider).credentials("identity", "credential").overrides(overrides)
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .ignoreUnknownHeaders(ignoreUnknownHeaders)
                .build();
        try {
            proxy.start(); // Jetty's start returns once the connector listens
        } catch (Exception e) {
            close();
            throw new IllegalStateException("Could not start s3proxy", e);
        }
        return this;
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public String region() {
        return REGION;
    }

    /** Creates the bucket if it does not exist yet; returns its name. */
    public String createBucket(String name) {
        context.getBlobStore().createContainerInLocation(null, name);
        return name;
    }

    /** The blob store behind the server, to inspect or seed it without going through S3. */
    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    @Override
    public synchronized void close() {
        try {
            if (proxy != null) {
                proxy.stop();
            }
        } catch (Exception ignored) {
            // stopping anyway
        } finally {
            proxy = null;
            if (context != null) {
                context.close();
                context = null;
            }
        }
    }
}
