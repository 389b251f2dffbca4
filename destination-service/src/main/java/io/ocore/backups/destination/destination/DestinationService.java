package io.ocore.backups.destination.destination;

import io.ocore.backups.destination.config.DestinationSettings;
import io.ocore.backups.destination.usage.UsageService;
import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.events.v1.Events.DestinationFailed;
import io.ocore.backups.platform.events.v1.Events.DestinationRecovered;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.RewrapReport;
import io.ocore.backups.platform.storage.ConfigError;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.web.Cursor;
import io.ocore.backups.platform.web.Page;
import io.ocore.backups.platform.web.Problem.FieldError;
import io.ocore.backups.platform.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Backup destinations of an organisation: validation through the storage drivers, credentials
 * sealed at rest, connection tests with their health transitions (DestinationFailed when a
 * destination turns failing, DestinationRecovered when a failing one passes again).
 */
@ApplicationScoped
public class DestinationService {

    static final int MAX_NAME = 100;
    private static final String ALLOWED_TYPES = Arrays.stream(DestinationType.values()).map(Enum::name)
            .collect(Collectors.joining(", ", "[", "]"));

    private final DestinationRepository destinations;
    private final DestinationCredentials credentials;
    private final DestinationProbe probe;
    private final UsageService usage;
    private final Outbox outbox;
    private final DestinationSettings settings;

    public DestinationService(DestinationRepository destinations, DestinationCredentials credentials,
            DestinationProbe probe, UsageService usage, Outbox outbox, DestinationSettings settings) {
        this.destinations = destinations;
        this.credentials = credentials;
        this.probe = probe;
        this.usage = usage;
        this.outbox = outbox;
        this.settings = settings;
    }

    /** A destination's full, decrypted config (internal callers only). */
    public record Credentials(Destination destination, Map<String, Object> config) {
    }

    /** What a connection test needs, read in one short transaction. */
    record Snapshot(UUID id, DestinationType type, Map<String, Object> config, int revision) {
    }

    // ---- reads

    public Uni<Page<Destination>> list(UUID orgId, DestinationType type, String cursor, Integer limit) {
        int n = Cursor.limit(limit);
        Cursor after = Cursor.decode(cursor);
        return destinations.list(orgId, type, after, n + 1).map(rows -> {
            List<Destination> page = rows.size() > n ? rows.subList(0, n) : rows;
            String next = rows.size() > n ? new Cursor(page.get(n - 1).createdAt, page.get(n - 1).id).encode() : null;
            return new Page<>(page, next);
        });
    }

    public Uni<Destination> get(UUID orgId, UUID id) {
        return destinations.findInOrg(orgId, id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Destination", id));
    }

    // ---- writes

    public Uni<Destination> create(UUID orgId, String name, String destinationType, Map<String, Object> config) {
        List<FieldError> errors = new ArrayList<>();
        String cleanName = checkName(name, errors);
        DestinationType type = checkType(destinationType, errors);
        if (config == null) {
            errors.add(new FieldError("config", "is required"));
        } else {
            config.forEach((k, v) -> {
                if (DestinationCredentials.isSecret(k) && DestinationCredentials.MASK.equals(v)) {
                    errors.add(new FieldError("config." + k, "send the value itself, not the mask"));
                }
            });
        }
        Map<String, Object> clean = config == null ? Map.of() : withoutNulls(config);
        return validate(type, clean, errors).chain(() -> Panache.withTransaction(() ->
                destinations.nameTaken(orgId, cleanName, null).chain(taken -> {
                    if (taken) {
                        return Uni.createFrom().failure(nameConflict(cleanName));
                    }
                    Instant now = now();
                    Destination d = new Destination();
                    d.id = UUID.randomUUID();
                    d.orgId = orgId;
                    d.name = cleanName;
                    d.destinationType = type;
                    credentials.store(d, clean);
                    d.nextCheckAt = now;
                    d.createdAt = now;
                    d.updatedAt = now;
                    return destinations.persist(d);
                })))
                .onFailure(DestinationService::isNameViolation).transform(e -> nameConflict(cleanName));
    }

    /**
     * Replaces name and config. Secrets sent back as the mask, or left out, keep their stored value;
     * a secret sent as {@code null} is removed. The type cannot change. A change of where the
     * destination points ({@link StorageFactory#relocated}) must send every stored secret again
     * (or remove it), else the stored secrets would go to wherever the request points.
     */
    public Uni<Destination> update(UUID orgId, UUID id, String name, String destinationType,
            Map<String, Object> config) {
        return Panache.withTransaction(() -> get(orgId, id).map(d -> new Snapshot(d.id, d.destinationType,
                credentials.fullConfig(d), d.configRevision)))
                .chain(current -> {
                    List<FieldError> errors = new ArrayList<>();
                    String cleanName = checkName(name, errors);
                    if (destinationType != null && !destinationType.equals(current.type().name())) {
                        errors.add(new FieldError("destinationType", "cannot be changed (it is "
                                + current.type().name() + "); create a new destination instead"));
                    }
                    Map<String, Object> merged = config == null ? null : merge(current.config(), config, errors);
                    if (config == null) {
                        errors.add(new FieldError("config", "is required"));
                    }
                    DestinationType type = errors.stream().anyMatch(e -> e.field().equals("destinationType"))
                            ? null : current.type();
                    if (type != null && merged != null) {
                        requireSecretsWhenRelocated(type, current.config(), merged, config, errors);
                    }
                    Map<String, Object> candidate = merged == null ? Map.of() : merged;
                    return validate(type, candidate, errors, config == null ? Map.of() : config)
                            .chain(() -> Panache.withTransaction(() -> write(orgId, id, current, cleanName, candidate)))
                            .onFailure(DestinationService::isNameViolation).transform(e -> nameConflict(cleanName));
                });
    }

    private Uni<Destination> write(UUID orgId, UUID id, Snapshot before, String name, Map<String, Object> config) {
        return get(orgId, id).chain(d -> {
            if (d.configRevision != before.revision()) {
                return Uni.createFrom().failure(ProblemException.conflict(
                        "The destination was changed by someone else meanwhile; reload it and try again"));
            }
            return destinations.nameTaken(orgId, name, id).map(taken -> {
                if (taken) {
                    throw nameConflict(name);
                }
                Instant now = now();
                d.name = name;
                if (!config.equals(before.config())) {
                    credentials.store(d, config);
                    d.configRevision++;
                    // verified was about the old config; the monitor checks the new one soon
                    d.isVerified = false;
                    d.nextCheckAt = now;
                }
                d.updatedAt = now;
                return d;
            });
        });
    }

    public Uni<Void> delete(UUID orgId, UUID id) {
        return Panache.withTransaction(() -> get(orgId, id).chain(d -> usage.describeUse(orgId, id).chain(use -> {
            if (use.isPresent()) {
                return Uni.createFrom().failure(ProblemException.conflict("Destination \"" + d.name
                        + "\" cannot be deleted: it is used by " + use.get()
                        + ". Remove it from the schedule and let those backups expire (or delete them) first."));
            }
            return destinations.delete(d);
        })));
    }

    // ---- connection tests

    /** Tests the destination now and records the result (isVerified, lastTestedAt, health transitions). */
    public Uni<TestResult> test(UUID orgId, UUID id) {
        return Panache.withTransaction(() -> get(orgId, id).map(this::snapshot)).chain(this::runTest);
    }

    /** As {@link #test} for the health monitor; null when the destination is gone. */
    public Uni<TestResult> testById(UUID id) {
        return Panache.withTransaction(() -> destinations.findById(id).map(d -> d == null ? null : snapshot(d)))
                .chain(s -> s == null ? Uni.createFrom().nullItem() : runTest(s));
    }

    private Snapshot snapshot(Destination d) {
        return new Snapshot(d.id, d.destinationType, credentials.fullConfig(d), d.configRevision);
    }

    private Uni<TestResult> runTest(Snapshot s) {
        return probe.test(s.type(), s.config())
                .chain(outcome -> Panache.withTransaction(() -> record(s, outcome)).replaceWith(TestResult.of(outcome)));
    }

    private Uni<Void> record(Snapshot s, DestinationProbe.Outcome outcome) {
        return destinations.findById(s.id(), LockModeType.PESSIMISTIC_WRITE).chain(d -> {
            if (d == null) {
                return Uni.createFrom().voidItem();
            }
            Instant at = outcome.testedAt();
            d.nextCheckAt = settings.nextCheckAfter(at);
            storeRotated(d, outcome.rotatedSecrets());
            if (d.configRevision != s.revision()) {
                return Uni.createFrom().voidItem(); // tested a config that has been replaced since
            }
            ProbeResult r = outcome.result();
            d.lastTestedAt = at;
            d.isVerified = r.ok();
            d.lastError = r.ok() ? null : r.message();
            d.lastFailureKind = r.ok() || r.failureKind() == null ? null : r.failureKind().name();
            if (r.ok()) {
                pinLearned(d, r.learnedConfig(), at);
            }
            if (!r.ok() && !d.failing) {
                d.failing = true;
                Log.infof("Destination %s (org %s) turned failing: %s", d.id, d.orgId, d.lastFailureKind);
                return outbox.append(new DestinationFailed(d.orgId, d.id, d.name, d.lastFailureKind, d.lastError,
                        null, null, at)).replaceWithVoid();
            }
            if (r.ok() && d.failing) {
                d.failing = false;
                Log.infof("Destination %s (org %s) recovered", d.id, d.orgId);
                return outbox.append(new DestinationRecovered(d.orgId, d.id, d.name, at)).replaceWithVoid();
            }
            return Uni.createFrom().voidItem();
        });
    }

    /** Pins what the driver observed and the config lacks, e.g. the SFTP host key on the first successful test. */
    private static void pinLearned(Destination d, Map<String, String> learned, Instant at) {
        Map<String, Object> config = new TreeMap<>(d.config);
        boolean changed = false;
        for (Map.Entry<String, String> e : learned.entrySet()) {
            if (!config.containsKey(e.getKey()) && !DestinationCredentials.isSecret(e.getKey())
                    && DestinationFields.accepts(d.destinationType, e.getKey())) {
                config.put(e.getKey(), e.getValue());
                changed = true;
                Log.infof("Destination %s: pinned %s %s", d.id, e.getKey(), e.getValue());
            }
        }
        if (changed) {
            d.config = config;
            d.updatedAt = at;
        }
    }

    /** Stores secrets a provider rotated while we used the destination (OAuth refresh tokens), sealed. */
    private void storeRotated(Destination d, Map<String, String> rotated) {
        if (rotated.isEmpty()) {
            return;
        }
        Map<String, String> secrets = credentials.openSecrets(d);
        rotated.forEach((field, value) -> {
            if (secrets.containsKey(field) && value != null && !value.isBlank()) {
                secrets.put(field, value);
            }
        });
        credentials.sealSecrets(d, secrets);
        Log.infof("Destination %s: stored the rotated %s", d.id, rotated.keySet());
    }

    // ---- internal: credentials for other services, rotation

    public Uni<Credentials> credentials(UUID orgId, UUID id) {
        return Panache.withTransaction(() -> get(orgId, id).map(d -> new Credentials(d, credentials.fullConfig(d))));
    }

    /** Stores a rotated OAuth refresh token reported by another service. */
    public Uni<Void> storeRefreshToken(UUID orgId, UUID id, String refreshToken) {
        if (refreshToken == null || refreshToken.isBlank()) {
            return Uni.createFrom().failure(ProblemException.badField("refreshToken", "is required"));
        }
        return Panache.withTransaction(() -> get(orgId, id).invoke(d -> {
            if (!d.hasSecret("refreshToken")) {
                throw ProblemException.badField("refreshToken",
                        "destination " + id + " (" + d.destinationType + ") has no refresh token");
            }
            storeRotated(d, Map.of("refreshToken", refreshToken));
        })).replaceWithVoid();
    }

    /**
     * Re-seals every destination's secrets under the active master key, in batches of one
     * transaction each; a value that does not open is skipped and counted as failed (its row keeps
     * the old, still readable value). Safe to re-run; answers what moved and what still needs an
     * older key.
     */
    public Uni<RewrapReport> rewrapAll() {
        return rewrapBatch(new UUID(0, 0), 0, 0)
                .chain(done -> destinations.countSealedByOtherKey(credentials.activeKeyId())
                        .map(left -> new RewrapReport(done[0], left.intValue(), done[1], credentials.activeKeyId())));
    }

    private Uni<int[]> rewrapBatch(UUID after, int rewrapped, int failed) {
        int batch = 100;
        return Panache.withTransaction(() -> destinations.sealedByOtherKey(credentials.activeKeyId(), after, batch)
                .map(rows -> {
                    int ok = 0;
                    int bad = 0;
                    for (Destination d : rows) {
                        try {
                            if (credentials.rewrap(d)) {
                                ok++;
                            }
                        } catch (EnvelopeCipher.CipherException e) {
                            Log.warnf("Destination %s: its secrets could not be re-wrapped: %s", d.id, e.getMessage());
                            bad++;
                        }
                    }
                    return new Batch(rows.size(), rows.isEmpty() ? after : rows.getLast().id, ok, bad);
                }))
                .chain(r -> r.size() < batch
                        ? Uni.createFrom().item(new int[] {rewrapped + r.rewrapped(), failed + r.failed()})
                        : rewrapBatch(r.last(), rewrapped + r.rewrapped(), failed + r.failed()));
    }

    private record Batch(int size, UUID last, int rewrapped, int failed) {
    }

    // ---- validation

    private static String checkName(String name, List<FieldError> errors) {
        String n = name == null ? null : name.strip();
        if (n == null || n.isEmpty()) {
            errors.add(new FieldError("name", "is required"));
        } else if (n.length() > MAX_NAME) {
            errors.add(new FieldError("name", "must be at most " + MAX_NAME + " characters"));
        }
        return n;
    }

    private static DestinationType checkType(String raw, List<FieldError> errors) {
        if (raw == null || raw.isBlank()) {
            errors.add(new FieldError("destinationType", "is required: one of " + ALLOWED_TYPES));
            return null;
        }
        for (DestinationType t : DestinationType.values()) {
            if (t.name().equals(raw)) {
                return t;
            }
        }
        errors.add(new FieldError("destinationType", "must be one of " + ALLOWED_TYPES));
        return null;
    }

    private Uni<Void> validate(DestinationType type, Map<String, Object> config, List<FieldError> errors) {
        return validate(type, config, errors, config);
    }

    /** Adds the driver's and the SSRF guard's findings to {@code errors}; fails with all of them. */
    private Uni<Void> validate(DestinationType type, Map<String, Object> config, List<FieldError> errors,
            Map<String, Object> sent) {
        if (type != null) {
            sent.keySet().stream().filter(k -> !DestinationFields.accepts(type, k)).sorted().forEach(k ->
                    errors.add(new FieldError("config." + k, "is not a field of " + type.name() + " destinations")));
        }
        Uni<List<ConfigError>> driver = type == null
                ? Uni.createFrom().item(List.of()) : probe.validate(type, config);
        return driver.map(found -> {
            found.forEach(e -> errors.add(new FieldError("config." + e.field(), e.message())));
            if (!errors.isEmpty()) {
                throw ProblemException.validation(dedupe(errors));
            }
            return null;
        }).replaceWithVoid();
    }

    /** Each stored secret the request did not send (masked or left out) when the location changes. */
    private static void requireSecretsWhenRelocated(DestinationType type, Map<String, Object> stored,
            Map<String, Object> merged, Map<String, Object> sent, List<FieldError> errors) {
        List<String> moved = StorageFactory.relocated(type, stored, merged);
        if (moved.isEmpty()) {
            return;
        }
        String message = "must be sent again when " + joinFields(moved) + (moved.size() == 1 ? " changes" : " change");
        stored.keySet().stream().filter(DestinationCredentials::isSecret).sorted()
                .filter(k -> !sent.containsKey(k) || DestinationCredentials.MASK.equals(sent.get(k)))
                .forEach(k -> errors.add(new FieldError("config." + k, message)));
    }

    private static String joinFields(List<String> fields) {
        if (fields.size() == 1) {
            return fields.get(0);
        }
        return String.join(", ", fields.subList(0, fields.size() - 1)) + " and " + fields.get(fields.size() - 1);
    }

    private static List<FieldError> dedupe(List<FieldError> errors) {
        return errors.stream().distinct().toList();
    }

    /** The config a PUT asks for: masked or omitted secrets keep their stored value, null removes one. */
    private static Map<String, Object> merge(Map<String, Object> stored, Map<String, Object> sent,
            List<FieldError> errors) {
        Map<String, Object> merged = new LinkedHashMap<>();
        sent.forEach((k, v) -> {
            if (v == null) {
                return;
            }
            if (DestinationCredentials.isSecret(k) && DestinationCredentials.MASK.equals(v)) {
                if (stored.containsKey(k)) {
                    merged.put(k, stored.get(k));
                } else {
                    errors.add(new FieldError("config." + k, "is masked but no value is stored; send the value"));
                }
            } else {
                merged.put(k, v);
            }
        });
        stored.forEach((k, v) -> {
            if (DestinationCredentials.isSecret(k) && !sent.containsKey(k)) {
                merged.put(k, v);
            }
        });
        return merged;
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> config) {
        Map<String, Object> m = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (v != null) {
                m.put(k, v);
            }
        });
        return m;
    }

    private static ProblemException nameConflict(String name) {
        return ProblemException.conflict("A destination named \"" + name + "\" already exists in this organisation");
    }

    private static boolean isNameViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("destination_name_per_org")) {
                return true;
            }
        }
        return false;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
