package io.ocore.backups.destination.destination;

import io.ocore.backups.destination.config.DestinationSettings;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.ConfigError;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.InvalidConfigException;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageException.Kind;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.storage.StorageOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The blocking side of destinations: config validation (drivers may resolve DNS) and connection
 * tests (the driver's probe: write, read back, delete a probe object) run on a bounded pool of
 * their own, never on the event loop, and answer back on the caller's Vert.x context so the caller
 * can continue with Hibernate Reactive.
 */
@ApplicationScoped
public class DestinationProbe {

    /** What one connection test found; {@code rotatedSecrets} are new values a provider handed out while probing. */
    public record Outcome(ProbeResult result, Map<String, String> rotatedSecrets, Instant testedAt) {
    }

    private final StorageFactory factory;
    private final DestinationSettings settings;
    private final ExecutorService pool;
    private final MeterRegistry registry;

    public DestinationProbe(StorageFactory factory, DestinationSettings settings, MeterRegistry registry) {
        this.factory = factory;
        this.settings = settings;
        this.registry = registry;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(2, settings.healthConcurrency() + 4), r -> {
            Thread t = new Thread(r, "destination-probe-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }

    /** Every bad field of {@code config}, as the driver and the SSRF guard see it (field names without "config."). */
    public Uni<List<ConfigError>> validate(DestinationType type, Map<String, Object> config) {
        return offload(() -> {
            return factory.validate(type, config);
        });
    }

    /** Tests the destination; never fails: a failure is an unsuccessful outcome in plain words. */
    public Uni<Outcome> test(DestinationType type, Map<String, Object> config) {
        long timeoutMs = settings.testTimeout().toMillis();
        Instant started = Instant.now();
        return offload(() -> probe(type, config), () -> new Outcome(new ProbeResult(false, timeoutMs, Kind.TIMEOUT,
                "The destination did not answer within " + settings.testTimeout().toSeconds() + " seconds.", Map.of()),
                Map.of(), micros(started)))
                .invoke(outcome -> {
                    if (!outcome.result().ok()) {
                        // Prometheus: ocore_destination_test_failures_total{destination_type} (docs/operations.md)
                        Counter.builder("ocore.destination.test.failures")
                                .description("Failed connection tests (Test Connection and the health monitor)")
                                .tag("destination_type", type.name()).register(registry).increment();
                    }
                });
    }

    Outcome probe(DestinationType type, Map<String, Object> config) {
        Map<String, String> rotated = new ConcurrentHashMap<>();
        StorageOptions options = factory.options().toBuilder()
                .credentialListener((field, value) -> rotated.put(field, value))
                .build();
        long start = System.nanoTime();
        ProbeResult result;
        // the drivers apply the address guard: literal addresses on open, names when they connect
        try (BackupStorage storage = StorageFactory.open(type, config, options)) {
            result = storage.probe();
        } catch (InvalidConfigException e) {
            result = new ProbeResult(false, millisSince(start), Kind.PERMANENT,
                    "The configuration is no longer valid: " + describe(e.errors()) + ".", Map.of());
        } catch (StorageException e) {
            result = new ProbeResult(false, millisSince(start), e.kind(), e.getMessage(), Map.of());
        } catch (RuntimeException e) {
            Log.debugf("Destination probe could not start (%s)", e.getClass().getSimpleName());
            result = new ProbeResult(false, millisSince(start), Kind.PERMANENT,
                    "The destination could not be opened (" + e.getClass().getSimpleName() + ").", Map.of());
        }
        if (!result.ok()) {
            // drivers never put secrets in messages; this guards against a server echoing one back
            result = new ProbeResult(false, result.latencyMs(), result.failureKind(),
                    DestinationCredentials.scrub(plainWords(result), config), result.learnedConfig());
        }
        return new Outcome(result, Map.copyOf(rotated), micros(Instant.now()));
    }

    private static String plainWords(ProbeResult r) {
        String message = r.message() == null || r.message().isBlank() ? null : r.message().trim();
        if (message != null) {
            return message;
        }
        Kind kind = r.failureKind() == null ? Kind.PERMANENT : r.failureKind();
        return switch (kind) {
            case AUTHENTICATION -> "The credentials were refused.";
            case PERMISSION -> "The credentials work but are not allowed to write, read and delete here.";
            case CONTAINER_MISSING -> "The bucket or folder does not exist.";
            case HOST_KEY_MISMATCH -> "The server presented a different host key than the pinned one.";
            case NAME_RESOLUTION -> "The host name could not be resolved.";
            case TIMEOUT -> "The destination did not answer in time.";
            case TRANSIENT -> "The destination failed temporarily; try again later.";
            case NOT_FOUND -> "The probe object disappeared while it was tested.";
            case PERMANENT -> "The destination cannot be used with this configuration.";
        };
    }

    private static String describe(List<ConfigError> errors) {
        return String.join("; ", errors.stream().map(e -> e.field() + " " + e.message()).toList());
    }

    private <T> Uni<T> offload(Supplier<T> work) {
        return offload(work, null);
    }

    /** Runs {@code work} on the probe pool and answers on the caller's Vert.x context (if any). */
    private <T> Uni<T> offload(Supplier<T> work, Supplier<T> onTimeout) {
        Context context = Vertx.currentContext();
        Uni<T> uni = Uni.createFrom().item(work).runSubscriptionOn(pool);
        if (onTimeout != null) {
            uni = uni.ifNoItem().after(settings.testTimeout()).recoverWithItem(onTimeout);
        }
        return context == null ? uni : uni.emitOn(command -> context.runOnContext(v -> command.run()));
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static Instant micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }
}
