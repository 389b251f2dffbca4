package io.ocore.backups.platform.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.storage.StoredObject;
import io.ocore.backups.platform.storage.TestData.RandomStream;
import io.ocore.backups.platform.testing.s3.S3ProxyServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Uploads 1 GiB of a stream of unknown length through the S3 driver to s3proxy (on disk, same
 * JVM) and reports the peak heap. Not in the default run:
 * {@code ./mvnw -pl platform/storage verify -Dstorage.benchmark -Dtest=S3LargeUploadBenchmark}
 * (that profile runs the JVM with -Xmx128m).
 */
@Tag("benchmark")
class S3LargeUploadBenchmark {

    @Test
    void oneGibibyteWithBoundedHeap() throws Exception {
        long size = Long.getLong("storage.benchmark.bytes", 1024L * 1024 * 1024);
        Path dir = Files.createTempDirectory("ocore-s3-bench-");
        try (S3ProxyServer server = S3ProxyServer.onDisk(dir).start()) {
            server.createBucket("bench");
            Map<String, Object> config = Map.of("bucket", "bench", "accessKeyId", server.accessKey(),
                    "secretAccessKey", server.secretKey(), "endpoint", server.endpoint().toString());
            try (BackupStorage s3 = new S3Driver().open(DestinationType.s3_compatible, config,
                    StorageOptions.builder().allowPrivateEndpoints(true).build())) {
                System.gc();
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    pool.resetPeakUsage();
                }
                AtomicLong sampledPeak = new AtomicLong();
                Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                    var memory = ManagementFactory.getMemoryMXBean();
                    while (!Thread.currentThread().isInterrupted()) {
                        sampledPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                        try {
                            Thread.sleep(10); // sampling period, not waiting for work
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                long start = System.nanoTime();
                StoredObject stored = s3.put("bench/one-gib.bin", new RandomStream(1, size));
                long millis = (System.nanoTime() - start) / 1_000_000;
                sampler.interrupt();
                long poolPeak = ManagementFactory.getMemoryPoolMXBeans().stream()
                        .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
                long maxHeap = Runtime.getRuntime().maxMemory();
                System.out.printf("BENCHMARK s3 put of %d MiB: %d ms (%.1f MiB/s), max heap %d MiB, "
                        + "peak heap used (sampled) %d MiB, sum of heap pool peaks %d MiB%n", size >> 20, millis,
                        (size / 1048576.0) / (millis / 1000.0), maxHeap >> 20, sampledPeak.get() >> 20, poolPeak >> 20);
                assertThat(stored.sizeBytes()).isEqualTo(size);
                assertThat(s3.list("bench/")).singleElement().extracting(StoredObject::sizeBytes).isEqualTo(size);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
