package io.ocore.backups.platform.storage.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.BackupStorageConformance;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.testing.sftp.OpenSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code sftp} against a real OpenSSH sshd (internal-sftp), Ed25519 key login, pinned host key. */
class OpenSshStorageTest extends BackupStorageConformance {

    /** The test servers listen on 127.0.0.1, which the operator setting allows here. */
    static final StorageOptions LOOPBACK = StorageOptions.builder().allowPrivateEndpoints(true).build();

    OpenSshServer server;
    Path dir;
    KeyPair clientKey;

    @BeforeAll
    void startServer() throws Exception {
        assumeTrue(OpenSshServer.available(),
                "/usr/sbin/sshd is absent: install Debian's openssh-server to run the OpenSSH conformance test");
        dir = Files.createTempDirectory("ocore-openssh-");
        clientKey = SshKeys.ed25519();
        server = new OpenSshServer(dir, List.of(clientKey.getPublic())).start();
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    Map<String, Object> config() throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put("host", server.host());
        c.put("port", server.port());
        c.put("username", server.username());
        c.put("privateKey", SshKeys.openSsh(clientKey, null));
        c.put("path", server.dataDir().toString());
        c.put("hostKeyFingerprint", server.hostKeyFingerprint());
        return c;
    }

    static BackupStorage open(Map<String, Object> config) {
        return new StorageFactory(LOOPBACK).open(DestinationType.sftp, config);
    }

    @Override
    protected BackupStorage openStorage() throws Exception {
        return open(config());
    }

    private String wrongKey;

    @Override
    protected BackupStorage openWithWrongCredentials() throws Exception {
        wrongKey = SshKeys.openSsh(SshKeys.ed25519(), null);
        Map<String, Object> c = config();
        c.put("privateKey", wrongKey);
        return open(c);
    }

    @Override
    protected String wrongSecret() {
        return wrongKey == null ? null : wrongKey.lines().skip(1).findFirst().orElse(null);
    }

    @Test
    void theFingerprintOpenSshPrintsIsTheOneReported() throws Exception {
        Map<String, Object> c = config();
        c.remove("hostKeyFingerprint");
        try (BackupStorage s = open(c)) {
            ProbeResult r = s.probe();
            assertThat(r.ok()).as("%s / sshd log: %s", r, server.log()).isTrue();
            assertThat(r.learnedConfig()).containsEntry("hostKeyFingerprint", server.hostKeyFingerprint());
        }
    }

    @Test
    void aPutIsFsyncedOnTheServerBeforeItIsRenamedIntoPlace() throws Exception {
        String key = run + "durable";
        try (BackupStorage s = new SftpDriver().open(DestinationType.sftp, config(), LOOPBACK)) {
            s.put(key, new java.io.ByteArrayInputStream(new byte[] {4, 5, 6}));
            // OpenSSH offers fsync@openssh.com: the driver sent it on the temp file's handle and the server
            // answered OK (it answers only after fsync(2) on the file; an error would have failed the put)
            assertThat(((SftpStorage) s).fsyncCount()).isEqualTo(1);
        }
        assertThat(Files.readAllBytes(server.dataDir().resolve(key))).containsExactly(4, 5, 6);
        try (Stream<Path> left = Files.list(server.dataDir().resolve(key).getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(SftpStorage.TEMP_PREFIX));
        }
    }

    @Test
    void overwriteUsesPosixRenameOnOpenSsh() throws Exception {
        storage().put(run + "x", new java.io.ByteArrayInputStream(new byte[] {1}));
        storage().put(run + "x", new java.io.ByteArrayInputStream(new byte[] {2, 3}));
        assertThat(Files.readAllBytes(server.dataDir().resolve(run + "x"))).containsExactly(2, 3);
    }
}
