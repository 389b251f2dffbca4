package io.ocore.backups.gateway.health;

import io.ocore.backups.gateway.config.GatewayConfig;
import io.ocore.backups.gateway.proxy.UpstreamClient;
import io.ocore.backups.gateway.routing.RouteTable;
import io.ocore.backups.gateway.routing.Upstream;
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
import java.util.List;

/**
 * {@code /health} on the public port: asks every service's management interface for its
 * {@code /q/health} and answers 200 {"status":"UP"} only when all are UP, else 503 DOWN. Nothing
 * more (no per-service details, checks or versions): a service's own health stays on its
 * management port, which is never public.
 */
@ApplicationScoped
public class ServiceHealthRoutes {

    private final RouteTable routes;
    private final UpstreamClient upstreams;
    private final GatewayConfig config;

    public ServiceHealthRoutes(RouteTable routes, UpstreamClient upstreams, GatewayConfig config) {
        this.routes = routes;
        this.upstreams = upstreams;
        this.config = config;
    }

    void install(@Observes Router router) {
        router.route(HttpMethod.GET, "/health").order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::all);
    }

    void all(RoutingContext rc) {
        List<Future<Boolean>> checks = new ArrayList<>();
        for (Upstream upstream : routes.managementUpstreams().values()) {
            checks.add(isUp(upstream));
        }
        Future.join(checks).onComplete(ignored -> {
            boolean allUp = checks.stream().allMatch(check -> Boolean.TRUE.equals(check.result()));
            rc.response().setStatusCode(allUp ? 200 : 503)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(new JsonObject().put("status", allUp ? "UP" : "DOWN").toBuffer());
        });
    }

    /** Whether one service answers 200 with status UP; never fails: unreachable or slow is down. */
    private Future<Boolean> isUp(Upstream management) {
        return upstreams.client()
                .request(upstreams.options(management, HttpMethod.GET, management.uri("/q/health"),
                        config.health().timeout()))
                .compose(request -> request.putHeader(HttpHeaders.ACCEPT, "application/json").send())
                .compose(response -> response.body().map(body -> response.statusCode() == 200 && statusUp(body.toString())))
                .recover(failure -> Future.succeededFuture(false));
    }

    private static boolean statusUp(String body) {
        try {
            return "UP".equals(new JsonObject(body).getString("status"));
        } catch (RuntimeException notJson) {
            return false;
        }
    }
}
