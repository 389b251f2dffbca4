package io.ocore.backups.gateway.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The gateway's own settings: the routing table, limits and timeouts. */
@ConfigMapping(prefix = "ocore.gateway")
public interface GatewayConfig {

    /** The routing table, tried in order: the first route whose pattern matches the path wins. */
    List<Route> routes();

    /** Largest request body accepted by a route that sets no {@code max-body-size} of its own. */
    @WithDefault("1M")
    MemorySize maxBodySize();

    /** How long an upstream may stay silent (no response bytes) before the gateway answers 504. */
    @WithDefault("60s")
    Duration upstreamTimeout();

    /** How long opening a connection to an upstream may take before the gateway answers 504. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Pooled connections per upstream service. */
    @WithDefault("64")
    int maxConnectionsPerService();

    /**
     * Whether to keep the X-Forwarded-* headers a client sent (true only behind a trusted
     * load balancer); otherwise the gateway is the edge and replaces them.
     */
    @WithDefault("false")
    boolean trustForwardedHeaders();

    /** The aggregated OpenAPI document. */
    OpenApi openapi();

    /** The aggregated {@code /health}. */
    Health health();

    /** One row of the routing table. */
    interface Route {

        /**
         * Path pattern: literal segments, {@code *} or {@code {name}} for exactly one segment,
         * a trailing {@code **} for one or more segments.
         */
        String pattern();

        /** The service that owns the paths, a key of {@code ocore.services}. */
        String service();

        /** Whether the gateway demands a valid user JWT (false for WAL ingest, checked by wal-archiver). */
        @WithDefault("true")
        boolean authenticate();

        /** This route's request body limit, instead of {@code ocore.gateway.max-body-size}. */
        Optional<MemorySize> maxBodySize();
    }

    /** Settings of {@code /q/openapi}. */
    interface OpenApi {

        /** How long a merged document is served before the services are asked again. */
        @WithDefault("10s")
        Duration cacheTtl();

        /** How long one service may take to answer its {@code /q/openapi}. */
        @WithDefault("3s")
        Duration fetchTimeout();

        /** The merged document's {@code info.title}. */
        @WithDefault("oCore Backups API")
        String title();

        /** The merged document's {@code info.version}. */
        @WithDefault("1")
        String version();
    }

    /** Settings of {@code /health}. */
    interface Health {

        /** How long one service may take to answer its {@code /q/health}. */
        @WithDefault("3s")
        Duration timeout();
    }
}
