package io.ocore.backups.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ocore.backups.platform.storage.StorageException.Kind;
import io.ocore.backups.platform.storage.local.LocalDriver;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retry and metrics around a real (local) driver whose first calls fail as a flaky network would. */
class DecoratorsTest {

    record Op(StorageListener.Operation op, long bytes, Kind failure) {
    }

    /** The local driver, failing the next {@code failures} calls with the given kind. */
    static final class Flaky implements BackupStorage {
        final BackupStorage real;
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger rangedCalls = new AtomicInteger();
        volatile Kind kind = Kind.TRANSIENT;

        Flaky(BackupStorage real) {
            this.real = real;
        }

        private void maybeFail() {
            calls.incrementAndGet();
            if (failures.getAndDecrement() > 0) {
                throw new StorageException(kind, "flaky (test)");
            }
        }

        public StoredObject put(String key, InputStream data) {
            maybeFail();
            return real.put(key, data);
        }

        public InputStream get(String key) {
            maybeFail();
            return real.get(key);
        }

        @Override
        public InputStream get(String key, long offset, long length) {
            rangedCalls.incrementAndGet();
            maybeFail();
            return real.get(key, offset, length);
        }

        public List<StoredObject> list(String prefix) {
            maybeFail();
            return real.list(prefix);
        }

        public void delete(String key) {
            maybeFail();
            real.delete(key);
        }

        public int deletePrefix(String prefix) {
            maybeFail();
            return real.deletePrefix(prefix);
        }

        public ProbeResult probe() {
            return real.probe();
        }

        public Capabilities capabilities() {
            return real.capabilities();
        }

        public DestinationType type() {
            return real.type();
        }

        public void close() {
            real.close();
        }
    }

    @TempDir
    Path root;

    Flaky flaky() throws Exception {
        Files.createDirectories(root.resolve("d"));
        StorageOptions options = StorageOptions.builder().allowedLocalRoots(List.of(root)).build();
        return new Flaky(new LocalDriver().open(DestinationType.local, Map.of("path", root.resolve("d").toString()), options));
    }

    final RetryPolicy fast = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5));

    @Test
    void transientFailuresAreRetriedAndReported() throws Exception {
        Flaky f = flaky();
        List<Op> ops = new CopyOnWriteArrayList<>();
        AtomicInteger retries = new AtomicInteger();
        StorageListener listener = new StorageListener() {
            @Override
            public void operation(DestinationType type, Operation op, long bytes, Duration d, Kind failure) {
                ops.add(new Op(op, bytes, failure));
            }

            @Override
            public void retry(DestinationType type, Operation op, int attempt, Duration delay) {
                retries.incrementAndGet();
            }
        };
        BackupStorage s = Storages.decorate(f, fast, listener);
        f.failures.set(2);
        assertThat(s.put("a", BackupStorage.StreamSource.ofBytes(new byte[] {1, 2, 3})).sizeBytes()).isEqualTo(3);
        assertThat(f.calls.get()).isEqualTo(3);
        assertThat(retries.get()).isEqualTo(2);
        f.failures.set(1);
        try (InputStream in = s.get("a")) {
            assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
        }
        assertThat(ops).containsExactly(new Op(StorageListener.Operation.PUT, 3, null),
                new Op(StorageListener.Operation.GET, 3, null));
    }

    @Test
    void rangedReadsReachTheDriversOwnRangedReadAndAreRetriedAndMetered() throws Exception {
        Flaky f = flaky();
        List<Op> ops = new CopyOnWriteArrayList<>();
        AtomicInteger retries = new AtomicInteger();
        BackupStorage s = Storages.decorate(f, fast, new StorageListener() {
            @Override
            public void operation(DestinationType type, Operation op, long bytes, Duration d, Kind failure) {
                ops.add(new Op(op, bytes, failure));
            }

            @Override
            public void retry(DestinationType type, Operation op, int attempt, Duration delay) {
                retries.incrementAndGet();
            }
        });
        s.put("r", BackupStorage.StreamSource.ofBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        ops.clear();
        f.failures.set(2);
        try (InputStream in = s.get("r", 2, 3)) {
            assertThat(in.readAllBytes()).containsExactly(3, 4, 5);
        }
        assertThat(f.rangedCalls.get()).as("the driver's ranged read, not a whole-object read").isEqualTo(3);
        assertThat(retries.get()).isEqualTo(2);
        assertThat(ops).containsExactly(new Op(StorageListener.Operation.GET, 3, null));
        f.kind = Kind.PERMISSION;
        f.failures.set(1);
        assertThatThrownBy(() -> s.get("r", 0, 1)).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.PERMISSION));
        assertThat(ops).last().isEqualTo(new Op(StorageListener.Operation.GET, 0, Kind.PERMISSION));
    }

    @Test
    void aOneShotStreamIsNotReplayedButASourceIs() throws Exception {
        Flaky f = flaky();
        BackupStorage s = Storages.decorate(f, fast, StorageListener.NONE);
        f.failures.set(1);
        assertThatThrownBy(() -> s.put("b", new ByteArrayInputStream(new byte[] {1})))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
        assertThat(f.calls.get()).isEqualTo(1);
    }

    @Test
    void permanentFailuresAndExhaustedRetriesSurface() throws Exception {
        Flaky f = flaky();
        List<Op> ops = new CopyOnWriteArrayList<>();
        BackupStorage s = Storages.decorate(f, fast, new StorageListener() {
            @Override
            public void operation(DestinationType type, Operation op, long bytes, Duration d, Kind failure) {
                ops.add(new Op(op, bytes, failure));
            }
        });
        f.kind = Kind.PERMISSION;
        f.failures.set(1);
        assertThatThrownBy(() -> s.list("")).isInstanceOf(StorageException.class);
        assertThat(f.calls.get()).isEqualTo(1);
        f.kind = Kind.TRANSIENT;
        f.failures.set(10);
        assertThatThrownBy(() -> s.delete("x")).isInstanceOf(StorageException.class);
        assertThat(f.calls.get()).isEqualTo(1 + 4);
        assertThat(ops).extracting(Op::failure).containsExactly(Kind.PERMISSION, Kind.TRANSIENT);
    }
}
