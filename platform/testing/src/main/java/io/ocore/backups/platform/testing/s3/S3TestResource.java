package io.ocore.backups.platform.testing.s3;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * {@code @QuarkusTestResource(S3TestResource.class)}: an in-memory s3proxy with bucket
 * {@code ocore-test}, exposed as {@code ocore.test.s3.endpoint}, {@code .access-key},
 * {@code .secret-key}, {@code .bucket}, {@code .region}. (Exclude Guice 5 from quarkus-junit:
 * s3proxy needs Guice 7.)
 */
public class S3TestResource implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "ocore-test";

    private S3ProxyServer server;

    @Override
    public Map<String, String> start() {
        server = S3ProxyServer.inMemory().start();
        server.createBucket(BUCKET);
        return Map.of(
                "ocore.test.s3.endpoint", server.endpoint().toString(),
                "ocore.test.s3.access-key", server.accessKey(),
                "ocore.test.s3.secret-key", server.secretKey(),
                "ocore.test.s3.bucket", BUCKET,
                "ocore.test.s3.region", server.region());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
