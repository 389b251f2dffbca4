package io.ocore.backups.gateway.openapi;

import io.ocore.backups.gateway.config.GatewayConfig;
import io.ocore.backups.gateway.proxy.UpstreamClient;
import io.ocore.backups.gateway.routing.RouteTable;
import io.ocore.backups.gateway.routing.Upstream;
import io.quarkus.logging.Log;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /q/openapi}: the services' documents merged, cached for a short while so Swagger UI
 * reloads do not fan out to every service each time.
 */
@ApplicationScoped
public class OpenApiRoutes {

    private final RouteTable routes;
    private final UpstreamClient upstreams;
    private final GatewayConfig config;
    private final OpenApiMerger merger;

    private Future<JsonObject> cached;
    private long cachedUntil;

    public OpenApiRoutes(RouteTable routes, UpstreamClient upstreams, GatewayConfig config) {
        this.routes = routes;
        this.upstreams = upstreams;
        this.config = config;
        this.merger = new OpenApiMerger(routes, config.openapi().title(), config.openapi().version());
    }

    void install(@Observes Router router) {
        router.route(HttpMethod.GET, "/q/openapi").order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::handle);
    }

    void handle(RoutingContext rc) {
        document().onComplete(result -> {
            if (result.succeeded()) {
                rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(result.result().encodePrettily());
            } else {
                rc.fail(result.cause());
            }
        });
    }

    /** The merged document, from the cache while it is fresh. */
    synchronized Future<JsonObject> document() {
        long now = System.nanoTime();
        if (cached == null || now - cachedUntil > 0) {
            cached = build();
            cachedUntil = now + config.openapi().cacheTtl().toNanos();
        }
        return cached;
    }

    private Future<JsonObject> build() {
        Map<String, Future<JsonObject>> fetches = new LinkedHashMap<>();
        routes.upstreams().forEach((name, upstream) -> fetches.put(name, fetch(upstream)));
        return Future.join(List.copyOf(fetches.values())).transform(ignored -> {
            Map<String, JsonObject> documents = new LinkedHashMap<>();
            List<String> unavailable = new ArrayList<>();
            fetches.forEach((name, fetch) -> {
                if (fetch.succeeded()) {
                    documents.put(name, fetch.result());
                } else {
                    Log.debugf("OpenAPI document of %s unavailable: %s", name, fetch.cause().toString());
                    unavailable.add(name);
                }
            });
            return Future.succeededFuture(merger.merge(documents, unavailable));
        });
    }

    private Future<JsonObject> fetch(Upstream upstream) {
        return upstreams.client()
                .request(upstreams.options(upstream, HttpMethod.GET, upstream.uri("/q/openapi?format=json"),
                        config.openapi().fetchTimeout()))
                .compose(request -> request.putHeader(HttpHeaders.ACCEPT, "application/json").send())
                .compose(response -> {
                    if (response.statusCode() != 200) {
                        return response.end().transform(ignored -> Future.failedFuture(
                                "HTTP " + response.statusCode()));
                    }
                    return response.body().map(body -> new JsonObject(body));
                });
    }
}
