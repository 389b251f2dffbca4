package io.ocore.backups.gateway.web;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.quarkus.opentelemetry.runtime.propagation.TextMapPropagatorCustomizer;
import jakarta.inject.Singleton;
import java.util.Collection;

/**
 * The gateway is the edge: a client's {@code traceparent}, {@code tracestate} and {@code baggage}
 * are not taken, so every request begins a trace of the gateway's own (a client can neither join
 * our traces nor have them recorded by sending a sampled flag). What the gateway sends on to the
 * services (its own spans' context) is written as usual. docs/operations.md "Traces".
 */
@Singleton
public class EdgeTracePropagation implements TextMapPropagatorCustomizer {

    @Override
    public TextMapPropagator customize(Context context) {
        TextMapPropagator delegate = context.propagator();
        return new TextMapPropagator() {
            @Override
            public Collection<String> fields() {
                return delegate.fields();
            }

            @Override
            public <C> void inject(io.opentelemetry.context.Context ctx, C carrier, TextMapSetter<C> setter) {
                delegate.inject(ctx, carrier, setter);
            }

            @Override
            public <C> io.opentelemetry.context.Context extract(io.opentelemetry.context.Context ctx, C carrier,
                    TextMapGetter<C> getter) {
                return ctx;
            }
        };
    }
}
