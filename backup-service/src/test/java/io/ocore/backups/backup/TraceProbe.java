package io.ocore.backups.backup;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Test code only: the spans the service records, kept in memory (the OpenTelemetry extension
 * exports to every SpanExporter bean), and a consumer of backup-events standing for the other
 * services' (channel trace-probe, application.properties %test).
 */
@ApplicationScoped
public class TraceProbe {

    @Produces
    @Singleton
    InMemorySpanExporter spans() {
        return InMemorySpanExporter.create();
    }

    @Incoming("trace-probe")
    public void consume(String event) {
        // the Kafka instrumentation's consumer span is what the test looks at
    }
}
