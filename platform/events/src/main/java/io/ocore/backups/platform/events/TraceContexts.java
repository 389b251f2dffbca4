package io.ocore.backups.platform.events;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.Map;

/**
 * The W3C trace context ({@code traceparent}, {@code tracestate}) of a span, kept in a row so that
 * work done later from that row continues the same trace: the outbox's events (published by
 * {@link OutboxRelay} after the transaction committed) and the services' jobs (a backup claimed
 * by a worker). docs/operations.md "Traces".
 */
public final class TraceContexts {

    /** A span's context as the two W3C header values; {@code tracestate} may be null. */
    public record Stored(String traceparent, String tracestate) {
    }

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";
    // W3C trace context level 1: version 00, 32 and 16 hex digits, 2 of flags (55 characters)
    private static final java.util.regex.Pattern TRACEPARENT_FORM =
            java.util.regex.Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final int MAX_TRACESTATE = 512;

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private TraceContexts() {
    }

    /** The current span's context; null when there is no valid span (tracing off, no trace). */
    public static Stored current() {
        return of(Context.current());
    }

    /** {@code context}'s span as W3C header values; null when it has no valid span. */
    public static Stored of(Context context) {
        if (context == null || !Span.fromContext(context).getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> headers = new HashMap<>();
        W3C.inject(context, headers, Map::put);
        String traceparent = headers.get(TRACEPARENT);
        if (traceparent == null) {
            return null;
        }
        String tracestate = headers.get(TRACESTATE);
        return new Stored(traceparent, tracestate == null || tracestate.isEmpty() ? null : tracestate);
    }

    /**
     * The context that continues a stored span: its span as the (remote) parent. The root context
     * when nothing (or nothing valid) was stored, so the work starts a trace of its own rather than
     * joining whatever happens to be current.
     */
    public static Context restore(String traceparent, String tracestate) {
        if (traceparent == null || !TRACEPARENT_FORM.matcher(traceparent).matches()) {
            return Context.root();
        }
        Map<String, String> headers = new HashMap<>();
        headers.put(TRACEPARENT, traceparent);
        if (tracestate != null && !tracestate.isEmpty() && tracestate.length() <= MAX_TRACESTATE) {
            headers.put(TRACESTATE, tracestate);
        }
        return W3C.extract(Context.root(), headers, GETTER);
    }
}
