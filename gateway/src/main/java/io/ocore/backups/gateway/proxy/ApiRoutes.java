package io.ocore.backups.gateway.proxy;

import io.ocore.backups.gateway.routing.RequestPath;
import io.ocore.backups.gateway.routing.Route;
import io.ocore.backups.gateway.routing.RouteTable;
import io.ocore.backups.gateway.security.EdgeAuthenticator;
import io.ocore.backups.gateway.web.EdgeHandler;
import io.ocore.backups.gateway.web.Exchanges;
import io.ocore.backups.gateway.web.Problems;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;

/** {@code /api/**}: find the owning service, authenticate, check the body size, forward. */
@ApplicationScoped
public class ApiRoutes {

    private final RouteTable routes;
    private final EdgeAuthenticator authenticator;
    private final UpstreamProxy proxy;

    public ApiRoutes(RouteTable routes, EdgeAuthenticator authenticator, UpstreamProxy proxy) {
        this.routes = routes;
        this.authenticator = authenticator;
        this.proxy = proxy;
    }

    void install(@Observes Router router) {
        router.route("/api/*").order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::handle);
    }

    void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        RequestPath path = rc.get(EdgeHandler.PATH_KEY);
        Optional<Route> match = routes.resolve(path);
        if (match.isEmpty()) {
            Exchanges.discardBody(rc);
            Problems.notFound(request);
            return;
        }
        Route route = match.get();
        rc.put(EdgeHandler.SERVICE_KEY, route.upstream().name());

        if (route.authenticate()) {
            EdgeAuthenticator.Rejection rejection = authenticator.check(request.getHeader(HttpHeaders.AUTHORIZATION));
            if (rejection != null) {
                Exchanges.discardBody(rc);
                rc.response().putHeader("WWW-Authenticate", rejection.invalidToken()
                        ? "Bearer realm=\"ocore\", error=\"invalid_token\""
                        : "Bearer realm=\"ocore\"");
                Problems.send(request, 401, Problems.UNAUTHORIZED, "Unauthorized", rejection.detail());
                return;
            }
        }

        String contentLength = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (contentLength != null) {
            long length;
            try {
                length = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length < 0) {
                Exchanges.discardBody(rc);
                Problems.send(request, 400, Problems.MALFORMED, "Bad Request", "Invalid Content-Length");
                return;
            }
            if (length > route.maxBodySize()) {
                Exchanges.discardBody(rc);
                Problems.send(request, 413, Problems.TOO_LARGE, "Payload Too Large",
                        "The request body exceeds " + route.maxBodySize() + " bytes");
                return;
            }
        }

        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            rc.response().writeContinue();
        }
        proxy.forward(rc, route.upstream(), request.path(), route.maxBodySize());
    }
}
