package io.ocore.backups.gateway.health;

import io.ocore.backups.gateway.config.GatewayConfig;
import io.ocore.backups.gateway.proxy.UpstreamClient;
import io.ocore.backups.gateway.proxy.UpstreamProxy;
import io.ocore.backups.gateway.routing.RequestPath;
import io.ocore.backups.gateway.routing.Upstream;
import io.ocore.backups.gateway.routing.RouteTable;
import io.ocore.backups.gateway.web.EdgeHandler;
import io.ocore.backups.gateway.web.Problems;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The services' health through the gateway: {@code /health/<service>[/...]} is that service's
 * {@code /q/health[/...]}; {@code /health} asks them all and answers 200 only when all are UP.
 * Public like {@code /q/health}: it tells UP or DOWN, nothing else.
 */
@ApplicationScoped
public class ServiceHealthRoutes {

    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    private final RouteTable routes;
    private final UpstreamClient upstreams;
    private final UpstreamProxy proxy;
    private final GatewayConfig config;

    public ServiceHealthRoutes(RouteTable routes, UpstreamClient upstreams, UpstreamProxy proxy, GatewayConfig config) {
        this.routes = routes;
        this.upstreams = upstreams;
        this.proxy = proxy;
        this.config = config;
    }

    void install(@Observes Router router) {
        router.route(HttpMethod.GET, "/health").order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::all);
        router.route(HttpMethod.GET, "/health/*").order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::one);
    }

    void one(RoutingContext rc) {
        List<String> segments = ((RequestPath) rc.get(EdgeHandler.PATH_KEY)).segments();
        Upstream upstream = segments.size() < 2 ? null : routes.upstream(segments.get(1)).orElse(null);
        if (upstream == null) {
            Problems.notFound(rc.request());
            return;
        }
        rc.put(EdgeHandler.SERVICE_KEY, upstream.name());
        StringBuilder path = new StringBuilder("/q/health");
        for (String segment : segments.subList(2, segments.size())) {
            if (!SAFE_SEGMENT.matcher(segment).matches()) {
                Problems.notFound(rc.request());
                return;
            }
            path.append('/').append(segment);
        }
        proxy.forward(rc, upstream, path.toString(), 0);
    }

    void all(RoutingContext rc) {
        List<Future<JsonObject>> checks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Upstream> entry : routes.upstreams().entrySet()) {
            names.add(entry.getKey());
            checks.add(check(entry.getValue()));
        }
        Future.join(checks).onComplete(ignored -> {
            JsonObject services = new JsonObject();
            boolean allUp = true;
            for (int i = 0; i < names.size(); i++) {
                JsonObject result = checks.get(i).result();
                services.put(names.get(i), result);
                allUp &= "UP".equals(result.getString("status"));
            }
            JsonObject body = new JsonObject().put("status", allUp ? "UP" : "DOWN").put("services", services);
            rc.response().setStatusCode(allUp ? 200 : 503)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(body.toBuffer());
        });
    }

    /** One service's health; never fails: an unreachable service is DOWN. */
    private Future<JsonObject> check(Upstream upstream) {
        return upstreams.client()
                .request(upstreams.options(upstream, HttpMethod.GET, upstream.uri("/q/health"), config.health().timeout()))
                .compose(request -> request.putHeader(HttpHeaders.ACCEPT, "application/json").send())
                .compose(response -> response.body().map(body -> summary(response, body.toString())))
                .recover(failure -> Future.succeededFuture(new JsonObject().put("status", "DOWN")
                        .put("error", failure instanceof TimeoutException ? "timeout" : "unreachable")));
    }

    private static JsonObject summary(HttpClientResponse response, String body) {
        String status;
        try {
            status = new JsonObject(body).getString("status", response.statusCode() == 200 ? "UP" : "DOWN");
        } catch (RuntimeException notJson) {
            status = response.statusCode() == 200 ? "UP" : "DOWN";
        }
        if (response.statusCode() != 200) {
            status = "DOWN";
        }
        return new JsonObject().put("status", status).put("httpStatus", response.statusCode());
    }
}
