package io.ocore.backups.wal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/wal/ocore-wal against {@link FakeWalArchive}, for what the real service cannot be made
 * to answer on demand: a failing destination (503), a slow answer, and counting the requests
 * the client makes (parallel pushes, the acknowledged spool, prefetching). {@link OcoreWalClientTest}
 * runs the same client against the real wal-archiver.
 */
class OcoreWalClientShellTest {

    static final String TOKEN = "ocwal_" + "S".repeat(43);

    @TempDir
    Path dir;
    FakeWalArchive archive;
    OcoreWal client;
    Path pgWal;

    @BeforeEach
    void start() throws Exception {
        archive = new FakeWalArchive(UUID.randomUUID().toString(), TOKEN);
        client = new OcoreWal(archive.url(), OcoreWal.tokenFile(dir, TOKEN));
        pgWal = Files.createDirectories(dir.resolve("data/pg_wal/archive_status"));
        pgWal = pgWal.getParent();
    }

    @AfterEach
    void stop() {
        archive.close();
    }

    Path segment(String name) throws Exception {
        Path f = OcoreWal.randomFile(pgWal.resolve(name), 64 * 1024);
        Files.writeString(pgWal.resolve("archive_status/" + name + ".ready"), "");
        return f;
    }

    @Test
    void pushesTheReadySegmentsInParallelAndAnswersTheNextCallsFromTheAcknowledgements() throws Exception {
        for (int i = 1; i <= 6; i++) {
            segment(seg(i));
        }
        archive.delayMillis = 1500;
        var first = client.push(dir.resolve("data"), seg(1));
        assertThat(first.exit()).as(first.stderr()).isZero();
        // seg 1 and the three oldest other .ready files, at once
        assertThat(archive.files.keySet()).containsExactlyInAnyOrder(seg(1), seg(2), seg(3), seg(4));
        assertThat(archive.maxInFlight.get()).isEqualTo(4);
        assertThat(dir.resolve("data/ocore-wal/acked")).isDirectoryContaining(p -> p.getFileName().toString().equals(seg(2)));

        // PostgreSQL marks seg 1 done and asks for seg 2: acknowledged already, no request, even
        // with every destination failing now
        Files.delete(pgWal.resolve("archive_status/" + seg(1) + ".ready"));
        archive.forcedStatus = 503;
        int requests = archive.requests.size();
        var second = client.push(dir.resolve("data"), seg(2));
        assertThat(second.exit()).as(second.stderr()).isZero();
        assertThat(archive.requests).hasSize(requests);
        assertThat(dir.resolve("data/ocore-wal/acked/" + seg(2))).doesNotExist();

        // seg 3 rewritten after its acknowledgement (a recycled name): the marker does not count
        Files.setLastModifiedTime(pgWal.resolve(seg(3)), FileTime.from(Instant.now().plusSeconds(5)));
        var third = client.push(dir.resolve("data"), seg(3));
        assertThat(third.exit()).isEqualTo(1);
        assertThat(third.stderr()).contains(seg(3)).contains("503").doesNotContain(TOKEN);
        assertThat(archive.requests).contains("PUT " + seg(3));
    }

    @Test
    void aCallReturnsOnceItsOwnFileIsArchivedAndTheNextWaitsForThePushAheadOfItsFile() throws Exception {
        for (int i = 1; i <= 4; i++) {
            segment(seg(i));
        }
        // seg 3, pushed ahead, is slow and then refused: it must never count as archived
        archive.delayFor.put(seg(3), 6000L);
        archive.statusFor.put(seg(3), 503);
        Process first = client.start(dir.resolve("data"), "push", "pg_wal/" + seg(1), seg(1));
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isZero();
        // seg 1 answered: the call is done while the push ahead of seg 3 still runs (no barrier)
        assertThat(archive.requests).contains("PUT " + seg(3));
        assertThat(archive.inFlight.get()).isPositive();
        assertThat(dir.resolve("data/ocore-wal/acked/" + seg(3))).doesNotExist();
        Files.delete(pgWal.resolve("archive_status/" + seg(1) + ".ready"));

        var second = client.push(dir.resolve("data"), seg(2));
        assertThat(second.exit()).as(second.stderr()).isZero();
        Files.delete(pgWal.resolve("archive_status/" + seg(2) + ".ready"));
        // seg 3: waits for the push in flight (no second upload meanwhile), finds no
        // acknowledgement (503), sends it itself and reports the failure
        var third = client.push(dir.resolve("data"), seg(3));
        assertThat(third.exit()).as(third.stderr()).isEqualTo(1);
        assertThat(third.stderr()).contains(seg(3)).contains("503");
        assertThat(archive.requests).filteredOn(r -> r.equals("PUT " + seg(3))).hasSize(2);
        assertThat(dir.resolve("data/ocore-wal/acked/" + seg(3))).doesNotExist();
        // once wal-archiver takes it, PostgreSQL's retry succeeds
        archive.statusFor.remove(seg(3));
        archive.delayFor.remove(seg(3));
        var retry = client.push(dir.resolve("data"), seg(3));
        assertThat(retry.exit()).as(retry.stderr()).isZero();
        assertThat(archive.files).containsKey(seg(3));
    }

    @Test
    void filesAreSentCompressedWhenZstdIsInstalledAndAsTheyAreWithCompressNoneOrWithoutIt() throws Exception {
        client.options().addAll(List.of("--parallel", "1"));
        byte[] first = Files.readAllBytes(segment(seg(1)));
        var auto = client.push(dir.resolve("data"), seg(1));
        assertThat(auto.exit()).as(auto.stderr()).isZero();
        assertThat(archive.encodings).containsEntry(seg(1), "zstd");
        assertThat(archive.files.get(seg(1))).isEqualTo(first);
        // nothing of the compressed copy is left in the spool
        try (var left = Files.walk(dir.resolve("data/ocore-wal"))) {
            assertThat(left.filter(p -> p.toString().endsWith(".zst")).toList()).isEmpty();
        }

        client.options().addAll(List.of("--compress", "none"));
        segment(seg(2));
        assertThat(client.push(dir.resolve("data"), seg(2)).exit()).isZero();
        assertThat(archive.encodings).containsEntry(seg(2), "identity");

        // a host without the zstd command: auto sends the file as it is; zstd asked for is an error
        client.options().clear();
        client.options().addAll(List.of("--parallel", "1"));
        client.env().put("PATH", OcoreWal.pathWithout(dir, "zstd"));
        byte[] third = Files.readAllBytes(segment(seg(3)));
        var without = client.push(dir.resolve("data"), seg(3));
        assertThat(without.exit()).as(without.stderr()).isZero();
        assertThat(archive.encodings).containsEntry(seg(3), "identity");
        assertThat(archive.files.get(seg(3))).isEqualTo(third);
        client.options().addAll(List.of("--compress", "zstd"));
        segment(seg(4));
        var refused = client.push(dir.resolve("data"), seg(4));
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.stderr()).contains("zstd").contains("not installed");
        assertThat(archive.files).doesNotContainKey(seg(4));
    }

    @Test
    void aFailedParallelPushLeavesNoAcknowledgement() throws Exception {
        segment(seg(1));
        segment(seg(2));
        archive.files.put(seg(2), new byte[] {1, 2, 3});
        var run = client.push(dir.resolve("data"), seg(1));
        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains(seg(2)).contains("409");
        assertThat(dir.resolve("data/ocore-wal/acked/" + seg(2))).doesNotExist();
        var again = client.push(dir.resolve("data"), seg(2));
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.stderr()).contains("409").contains("other content");
    }

    @Test
    void everyRefusalIsAFailureWithItsReason() throws Exception {
        segment(seg(1));
        archive.forcedStatus = 503;
        assertThat(client.push(dir.resolve("data"), seg(1)).stderr()).contains("destination is failing (503)");
        archive.forcedStatus = 0;
        var wrongToken = new OcoreWal(archive.url(), OcoreWal.tokenFile(dir.resolve("data"), "ocwal_wrong"));
        var refused = wrongToken.push(dir.resolve("data"), seg(1));
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.stderr()).contains("token was refused (401)").doesNotContain("ocwal_wrong");
        var nowhere = new OcoreWal("http://127.0.0.1:1/api/wal/x", OcoreWal.tokenFile(dir, TOKEN));
        assertThat(nowhere.push(dir.resolve("data"), seg(1)).stderr()).contains("no answer");
        var bad = client.run(dir.resolve("data"), "push", "pg_wal/" + seg(1), "../../etc/passwd");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(archive.files).isEmpty();
    }

    @Test
    void fetchServesPrefetchedSegmentsAndStopsAtTheEndOfTheArchive() throws Exception {
        for (int i = 1; i <= 5; i++) {
            archive.files.put(seg(i), Files.readAllBytes(OcoreWal.randomFile(dir.resolve("src-" + i), 32 * 1024)));
        }
        Path data = Files.createDirectories(dir.resolve("restore/pg_wal")).getParent();
        var first = client.fetch(data, seg(1));
        assertThat(first.exit()).as(first.stderr()).isZero();
        assertThat(Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG"))).isEqualTo(archive.files.get(seg(1)));
        Path prefetch;
        try (var dirs = Files.list(data.resolve("ocore-wal/prefetch"))) {
            prefetch = dirs.findFirst().orElseThrow();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            try (var files = Files.list(prefetch)) {
                return files.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).count() == 4;
            }
        });
        // the archive is unreachable now: segments 2..5 come from the prefetch spool
        archive.forcedStatus = 503;
        for (int i = 2; i <= 5; i++) {
            var next = client.fetch(data, seg(i));
            assertThat(next.exit()).as(next.stderr()).isZero();
            assertThat(Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG"))).isEqualTo(archive.files.get(seg(i)));
        }
        archive.forcedStatus = 0;
        var end = client.fetch(data, seg(6));
        assertThat(end.exit()).isEqualTo(1);
        assertThat(end.stderr()).contains("not in the archive (404)");
        // a timeline history file: fetched, never prefetched past
        archive.files.put("00000002.history", "1\t0/5000000\tno recovery target specified\n".getBytes());
        int requests = archive.requests.size();
        var history = client.run(data, "fetch", "00000002.history", "pg_wal/RECOVERYHISTORY");
        assertThat(history.exit()).as(history.stderr()).isZero();
        assertThat(data.resolve("pg_wal/RECOVERYHISTORY")).hasContent("1\t0/5000000\tno recovery target specified");
        // the history file once, and nothing of its timeline prefetched after it (a background
        // prefetch started by an earlier call may still be landing: only these names are counted)
        List<String> seen = List.copyOf(archive.requests);
        List<String> after = seen.subList(requests, seen.size());
        assertThat(after).filteredOn(r -> r.startsWith("GET 00000002")).containsExactly("GET 00000002.history");
    }

    @Test
    void theTokenIsNeverOnACommandLine() throws Exception {
        segment(seg(1));
        archive.delayMillis = 3000;
        var running = client.start(dir.resolve("data"), "push", "pg_wal/" + seg(1), seg(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> archive.inFlight.get() > 0);
        String ps = OcoreWal.processList();
        assertThat(ps).contains("curl --config -").doesNotContain(TOKEN);
        assertThat(running.waitFor()).isZero();
    }

    static String seg(int n) {
        return "0000000100000000000000%02X".formatted(n);
    }
}
