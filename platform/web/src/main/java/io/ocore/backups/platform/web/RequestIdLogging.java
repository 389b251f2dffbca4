package io.ocore.backups.platform.web;

import io.opentelemetry.api.trace.Span;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;

/**
 * Puts the gateway's {@code X-Request-Id} in the log context ({@code requestId}, beside OpenTelemetry's
 * {@code traceId} and {@code spanId}) of everything a service logs while handling the request, and
 * on the request's server span ({@code ocore.request_id}). docs/operations.md "Logs" and "Traces".
 */
@ApplicationScoped
public class RequestIdLogging {

    static final String HEADER = "X-Request-Id";
    static final String MDC_KEY = "requestId";
    static final String SPAN_ATTRIBUTE = "ocore.request_id";
    // the gateway's form (gateway RequestIds); anything else is not logged
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:@+=/-]{1,128}");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 100).handler(rc -> {
            String id = rc.request().getHeader(HEADER);
            if (id != null && VALID.matcher(id).matches()) {
                // on the request's own Vert.x context: seen by every log line of this request only
                MDC.put(MDC_KEY, id);
                Span.current().setAttribute(SPAN_ATTRIBUTE, id);
            }
            rc.next();
        });
    }
}
