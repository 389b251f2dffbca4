package io.ocore.backups.platform.storage.quarkus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageListener;
import java.time.Duration;
import java.util.Locale;

/**
 * The storage operations of a service as Prometheus counters (docs/operations.md "Metrics"):
 * {@code ocore_destination_bytes_total{destination_type,operation}} (bytes written by puts, read
 * by gets) and {@code ocore_destination_operations_total{destination_type,operation,outcome}}
 * ({@code ok} or the failure kind, e.g. {@code transient}), retries not counted as operations.
 */
final class MicrometerStorageListener implements StorageListener {

    private final MeterRegistry registry;

    MicrometerStorageListener(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void operation(DestinationType type, Operation op, long bytes, Duration duration,
            StorageException.Kind failure) {
        String operation = op.name().toLowerCase(Locale.ROOT);
        Counter.builder("ocore.destination.operations").description("Storage operations on destinations, by outcome")
                .tag("destination_type", type.name()).tag("operation", operation)
                .tag("outcome", failure == null ? "ok" : failure.name().toLowerCase(Locale.ROOT))
                .register(registry).increment();
        if (bytes > 0 && (op == Operation.PUT || op == Operation.GET)) {
            Counter.builder("ocore.destination.bytes").baseUnit("bytes")
                    .description("Bytes written to (put) and read from (get) destinations")
                    .tag("destination_type", type.name()).tag("operation", operation)
                    .register(registry).increment(bytes);
        }
    }
}
