package io.ocore.backups.platform.testing.sftp;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code @QuarkusTestResource(SftpTestResource.class)}: an in-JVM SFTP server with password login,
 * exposed as {@code ocore.test.sftp.host}, {@code .port}, {@code .username}, {@code .password},
 * {@code .root} (the server-side folder, "/backups", which exists) and
 * {@code .host-key-fingerprint}; {@code ocore.test.sftp.local-root} is that folder on this disk.
 */
public class SftpTestResource implements QuarkusTestResourceLifecycleManager {

    private SftpTestServer server;
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("ocore-sftp-");
            Files.createDirectories(dir.resolve("backups"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = new SftpTestServer(dir).start();
        return Map.of(
                "ocore.test.sftp.host", server.host(),
                "ocore.test.sftp.port", Integer.toString(server.port()),
                "ocore.test.sftp.username", server.username(),
                "ocore.test.sftp.password", server.password(),
                "ocore.test.sftp.root", "/backups",
                "ocore.test.sftp.host-key-fingerprint", server.hostKeyFingerprint(),
                "ocore.test.sftp.local-root", dir.resolve("backups").toString());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir
            }
        }
    }
}
