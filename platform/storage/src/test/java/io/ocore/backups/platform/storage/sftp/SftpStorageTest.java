package io.ocore.backups.platform.storage.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.BackupStorageConformance;
import io.ocore.backups.platform.storage.ConfigError;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.ScriptedResolver;
import io.ocore.backups.platform.storage.StorageException.Kind;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.testing.sftp.SftpTestServer;
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

/** {@code sftp} against Apache MINA SSHD in this JVM, password login. */
class SftpStorageTest extends BackupStorageConformance {

    /** The test servers listen on 127.0.0.1, which the operator setting allows here. */
    static final StorageOptions LOOPBACK = StorageOptions.builder().allowPrivateEndpoints(true).build();

    SftpTestServer server;
    Path dir;

    @BeforeAll
    void startServer() throws Exception {
        dir = Files.createTempDirectory("ocore-sftp-");
        Files.createDirectories(dir.resolve("backups"));
        server = new SftpTestServer(dir).start();
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("host", server.host());
        c.put("port", server.port());
        c.put("username", server.username());
        c.put("password", server.password());
        c.put("path", "/backups");
        return c;
    }

    static BackupStorage open(Map<String, Object> config) {
        return new StorageFactory(LOOPBACK).open(DestinationType.sftp, config);
    }

    @Override
    protected BackupStorage openStorage() {
        Map<String, Object> c = config();
        c.put("hostKeyFingerprint", server.hostKeyFingerprint());
        return open(c);
    }

    @Override
    protected BackupStorage openWithWrongCredentials() {
        Map<String, Object> c = config();
        c.put("password", wrongSecret());
        return open(c);
    }

    @Override
    protected String wrongSecret() {
        return "not-the-password-3f9a";
    }

    @Test
    void theConnectionGoesToTheAddressResolvedOnceNotToALaterAnswer() throws Exception {
        // a name only the scripted resolver knows: MINA looking it up itself would fail
        ScriptedResolver dns = new ScriptedResolver().answer("sftp.rebind.test", server.host(), "169.254.169.254");
        Map<String, Object> c = config();
        c.put("host", "sftp.rebind.test");
        StorageOptions options = LOOPBACK.toBuilder().resolver(dns).build();
        try (BackupStorage s = new StorageFactory(options).open(DestinationType.sftp, c)) {
            assertThat(s.probe().ok()).isTrue();
            s.put(run + "pinned", new java.io.ByteArrayInputStream(new byte[] {7}));
            assertThat(s.get(run + "pinned").readAllBytes()).containsExactly(7);
        }
        assertThat(dns.lookups("sftp.rebind.test")).isEqualTo(1);
    }

    @Test
    void aHostThatResolvesToAMetadataAddressWhenConnectingIsRefused() {
        // validated while it answered the server's address; by the time of the connection it rebinds
        ScriptedResolver dns = new ScriptedResolver().answer("sftp.rebind.test", server.host(), "169.254.169.254");
        Map<String, Object> c = config();
        c.put("host", "sftp.rebind.test");
        StorageOptions options = LOOPBACK.toBuilder().resolver(dns).build();
        assertThat(new SftpDriver().validate(DestinationType.sftp, c, options)).isEmpty();
        try (BackupStorage s = new StorageFactory(options).open(DestinationType.sftp, c)) {
            ProbeResult r = s.probe();
            assertThat(r.ok()).isFalse();
            assertThat(r.failureKind()).isEqualTo(Kind.PERMANENT);
            assertThat(r.message()).contains("sftp.rebind.test").contains("link-local");
        }
        Map<String, Object> unknown = config();
        unknown.put("host", "no-such-host.invalid");
        assertThat(new SftpDriver().validate(DestinationType.sftp, unknown, LOOPBACK))
                .containsExactly(new ConfigError("host", "does not resolve"));
        try (BackupStorage s = open(unknown)) {
            assertThat(s.probe().failureKind()).isEqualTo(Kind.NAME_RESOLUTION);
        }
    }

    @Test
    void withoutAPinnedHostKeyTheProbeReportsTheFingerprintToPin() {
        try (BackupStorage s = open(config())) {
            ProbeResult r = s.probe();
            assertThat(r.ok()).isTrue();
            assertThat(r.learnedConfig()).containsEntry("hostKeyFingerprint", server.hostKeyFingerprint());
        }
    }

    @Test
    void aDifferentHostKeyThanThePinnedOneIsRefused() {
        Map<String, Object> c = config();
        c.put("hostKeyFingerprint", "SHA256:" + "A".repeat(43));
        try (BackupStorage s = open(c)) {
            ProbeResult r = s.probe();
            assertThat(r.ok()).isFalse();
            assertThat(r.failureKind()).isEqualTo(Kind.HOST_KEY_MISMATCH);
            assertThat(r.message()).contains(server.hostKeyFingerprint()).doesNotContain(server.password());
            assertThat(r.learnedConfig()).isEmpty();
        }
    }

    @Test
    void aMissingFolderIsReportedAsSuch() {
        Map<String, Object> c = config();
        c.put("path", "/no-such-folder");
        try (BackupStorage s = open(c)) {
            assertThat(s.probe().failureKind()).isEqualTo(Kind.CONTAINER_MISSING);
        }
    }

    @Test
    void privateKeysOfEveryKindAndFormatLogIn() throws Exception {
        record Case(String name, KeyPair kp, String text, String passphrase) {
        }
        KeyPair rsa = SshKeys.rsa();
        KeyPair ec = SshKeys.ecdsa();
        KeyPair ed = SshKeys.ed25519();
        List<Case> cases = new java.util.ArrayList<>(List.of(
                new Case("rsa openssh encrypted", rsa, SshKeys.openSsh(rsa, "s3cret phrase"), "s3cret phrase"),
                new Case("rsa pkcs8 pem", rsa, SshKeys.pkcs8Pem(rsa), null),
                new Case("ecdsa openssh", ec, SshKeys.openSsh(ec, null), null),
                new Case("ed25519 openssh", ed, SshKeys.openSsh(ed, null), null),
                new Case("ed25519 openssh encrypted", ed, SshKeys.openSsh(ed, "pp"), "pp")));
        if (Files.isExecutable(Path.of("/usr/bin/ssh-keygen"))) {
            // PEM as ssh-keygen -m PEM writes it: "BEGIN RSA PRIVATE KEY" / "BEGIN EC PRIVATE KEY", encrypted
            for (String type : List.of("rsa", "ecdsa")) {
                Path keyFile = dir.resolve("pem_" + type);
                Process p = new ProcessBuilder("/usr/bin/ssh-keygen", "-q", "-t", type, "-m", "PEM",
                        "-N", "pem pass", "-f", keyFile.toString()).redirectErrorStream(true).start();
                assertThat(p.waitFor()).isZero();
                String pem = Files.readString(keyFile);
                assertThat(pem).contains("ENCRYPTED").containsPattern("BEGIN (RSA|EC) PRIVATE KEY");
                KeyPair loaded = SftpKeys.load(pem, "pem pass").get(0);
                cases.add(new Case(type + " traditional pem encrypted", loaded, pem, "pem pass"));
                Files.delete(keyFile);
                Files.delete(dir.resolve("pem_" + type + ".pub"));
            }
        }
        for (Case k : cases) {
            server.authorize(k.kp().getPublic());
            Map<String, Object> c = config();
            c.remove("password");
            c.put("privateKey", k.text());
            if (k.passphrase() != null) {
                c.put("passphrase", k.passphrase());
            }
            assertThat(new SftpDriver().validate(DestinationType.sftp, c, LOOPBACK)).as(k.name()).isEmpty();
            try (BackupStorage s = open(c)) {
                ProbeResult r = s.probe();
                assertThat(r.ok()).as("%s: %s", k.name(), r).isTrue();
            }
        }
    }

    @Test
    void aWrongPassphraseIsNamedAsTheBadField() throws Exception {
        Map<String, Object> c = config();
        c.remove("password");
        c.put("privateKey", SshKeys.openSsh(SshKeys.ecdsa(), "right"));
        c.put("passphrase", "wrong");
        assertThat(new SftpDriver().validate(DestinationType.sftp, c, LOOPBACK))
                .extracting(ConfigError::field).containsExactly("passphrase");
        c.remove("passphrase");
        assertThat(new SftpDriver().validate(DestinationType.sftp, c, LOOPBACK))
                .extracting(ConfigError::field).containsExactly("passphrase");
    }

    @Test
    void anUnknownKeyIsAnAuthenticationFailureWithoutTheKeyInTheMessage() throws Exception {
        Map<String, Object> c = config();
        c.remove("password");
        String key = SshKeys.pkcs8Pem(SshKeys.rsa());
        c.put("privateKey", key);
        try (BackupStorage s = open(c)) {
            ProbeResult r = s.probe();
            assertThat(r.failureKind()).isEqualTo(Kind.AUTHENTICATION);
            assertThat(r.message()).doesNotContain("PRIVATE KEY").doesNotContain(key.substring(40, 80));
        }
    }

    @Test
    void writesGoThroughATemporaryNameThatListingNeverShows() throws Exception {
        storage().put(run + "a/b", new java.io.ByteArrayInputStream(new byte[] {1}));
        try (Stream<Path> files = Files.walk(dir.resolve("backups"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".ocore-tmp-"));
        }
        assertThat(Files.readAllBytes(dir.resolve("backups").resolve(run + "a/b"))).containsExactly(1);
    }

    @Test
    void deletePrefixAlsoRemovesWhatACrashedPutLeftBehind() throws Exception {
        storage().put(run + "backup/database", new java.io.ByteArrayInputStream(new byte[] {1, 2}));
        // A process killed mid-put leaves its hidden temporary file; list() does not show it.
        Path folder = dir.resolve("backups").resolve(run + "backup");
        Files.write(folder.resolve(".ocore-tmp-" + java.util.UUID.randomUUID()), new byte[] {3});

        assertThat(storage().deletePrefix(run + "backup/")).isEqualTo(1);
        try (Stream<Path> left = Files.list(folder)) {
            assertThat(left).isEmpty();
        }
    }
}
