package io.ocore.backups.gateway.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.ocore.backups.gateway.routing.RequestPath;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * First handler of every request: gives it a request id, writes its access-log line when it
 * ends, and refuses any path that names an internal endpoint before anything else sees it.
 */
@ApplicationScoped
public class EdgeHandler {

    /** Key of the parsed {@link RequestPath} in the routing context. */
    public static final String PATH_KEY = "ocore.path";

    /** Key of the name of the service a request went to, for the access log and metrics. */
    public static final String SERVICE_KEY = "ocore.service";

    // Its own category, so operators can route or silence access lines apart from the rest.
    private static final Logger ACCESS = Logger.getLogger("io.ocore.backups.gateway.access");

    private final MeterRegistry registry;

    public EdgeHandler(MeterRegistry registry) {
        this.registry = registry;
    }

    void install(@Observes Router router) {
        // Before Quarkus' own upload limit, so even its answers carry a request id and a log line.
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::handle);
    }

    void handle(RoutingContext rc) {
        long start = System.nanoTime();
        HttpServerRequest request = rc.request();
        String requestId = RequestIds.keepOrCreate(request.getHeader(RequestIds.HEADER));
        rc.put(RequestIds.CONTEXT_KEY, requestId);
        // the request's trace (docs/operations.md "Traces") is found by the id the client was answered
        Span.current().setAttribute(RequestIds.SPAN_ATTRIBUTE, requestId);
        rc.addHeadersEndHandler(ignored -> rc.response().headers().set(RequestIds.HEADER, requestId));
        rc.addEndHandler(result -> log(rc, requestId, start, result.succeeded()));

        RequestPath path = RequestPath.parse(request.path());
        rc.put(PATH_KEY, path);
        if (path.forbidden()) {
            Exchanges.discardBody(rc);
            Problems.notFound(request);
            return;
        }
        rc.next();
    }

    private void log(RoutingContext rc, String requestId, long start, boolean completed) {
        long durationNanos = System.nanoTime() - start;
        long durationMs = TimeUnit.NANOSECONDS.toMillis(durationNanos);
        HttpServerRequest request = rc.request();
        int status = rc.response().getStatusCode();
        String service = rc.get(SERVICE_KEY);
        // Method, path, status, duration and id only: never headers (Authorization), query or body.
        MDC.put("requestId", requestId);
        MDC.put("method", request.method().name());
        MDC.put("path", request.path());
        MDC.put("status", status);
        MDC.put("durationMs", durationMs);
        if (service != null) {
            MDC.put("service", service);
        }
        try {
            ACCESS.infof("%s %s %d %dms%s requestId=%s%s", request.method().name(), request.path(), status, durationMs,
                    service == null ? "" : " service=" + service, requestId, completed ? "" : " (connection closed)");
        } finally {
            MDC.remove("requestId");
            MDC.remove("method");
            MDC.remove("path");
            MDC.remove("status");
            MDC.remove("durationMs");
            MDC.remove("service");
        }
        Timer.builder("ocore.gateway.requests")
                .description("Requests through the gateway, by upstream service and status")
                .tag("service", service == null ? "gateway" : service)
                .tag("status", Integer.toString(status))
                .register(registry)
                .record(durationNanos, TimeUnit.NANOSECONDS);
    }
}
