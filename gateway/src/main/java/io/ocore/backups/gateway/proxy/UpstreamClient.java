package io.ocore.backups.gateway.proxy;

import io.ocore.backups.gateway.config.GatewayConfig;
import io.ocore.backups.gateway.routing.Upstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** The one HTTP client (and connection pool) the gateway uses to reach the services. */
@ApplicationScoped
public class UpstreamClient {

    private final HttpClient client;
    private final GatewayConfig config;

    public UpstreamClient(Vertx vertx, GatewayConfig config) {
        this.config = config;
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true)
                // Bodies pass through as the service encoded them.
                .setDecompressionSupported(false)
                .setVerifyHost(true);
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(config.maxConnectionsPerService()));
    }

    public HttpClient client() {
        return client;
    }

    /** Options for a request to {@code upstream} at {@code uri} (already prefixed with its base path). */
    public RequestOptions options(Upstream upstream, HttpMethod method, String uri, Duration idleTimeout) {
        return new RequestOptions()
                .setMethod(method)
                .setHost(upstream.host())
                .setPort(upstream.port())
                .setSsl(upstream.ssl())
                .setURI(uri)
                .setConnectTimeout(config.connectTimeout().toMillis())
                .setIdleTimeout(idleTimeout.toMillis());
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
