package io.ocore.backups.platform.testing.sftp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * A real OpenSSH server (Debian {@code openssh-server}'s {@code /usr/sbin/sshd}) run with its own
 * config on 127.0.0.1 and a free port: internal-sftp, its own host key, public-key login for the
 * current OS user only. It installs nothing: check {@link #available()} first.
 */
public final class OpenSshServer implements AutoCloseable {

    public static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path workDir;
    private final List<PublicKey> authorizedKeys;
    private final KeyPair hostKey;
    private Process process;
    private int port;

    /** @param workDir an empty folder for config, keys, log and the served {@link #dataDir()} */
    public OpenSshServer(Path workDir, List<PublicKey> authorizedKeys) {
        this.workDir = workDir.toAbsolutePath();
        this.authorizedKeys = List.copyOf(authorizedKeys);
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            this.hostKey = gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether sshd is installed (Debian: {@code apt-get install openssh-server}). */
    public static boolean available() {
        return Files.isExecutable(SSHD);
    }

    public synchronized OpenSshServer start() {
        if (process != null) {
            return this;
        }
        try {
            Files.createDirectories(dataDir());
            Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege-separation directory
            Path hostKeyFile = workDir.resolve("ssh_host_ecdsa_key");
            ByteArrayOutputStream pem = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(hostKey, "ocore-test-host", null, pem);
            Files.write(hostKeyFile, pem.toByteArray());
            Files.setPosixFilePermissions(hostKeyFile, PosixFilePermissions.fromString("rw-------"));
            Path authorized = workDir.resolve("authorized_keys");
            StringBuilder lines = new StringBuilder();
            for (PublicKey k : authorizedKeys) {
                lines.append(PublicKeyEntry.toString(k)).append('\n');
            }
            Files.writeString(authorized, lines.toString());
            Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-------"));
            IOException last = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                port = freePort();
                Path config = workDir.resolve("sshd_config");
                Files.writeString(config, String.join("\n",
                        "Port " + port,
                        "ListenAddress 127.0.0.1",
                        "HostKey " + hostKeyFile,
                        "PidFile " + workDir.resolve("sshd.pid"),
                        "AuthorizedKeysFile " + authorized,
                        "AllowUsers " + username(),
                        "PubkeyAuthentication yes",
                        "PasswordAuthentication no",
                        "KbdInteractiveAuthentication no",
                        "PermitRootLogin prohibit-password",
                        "UsePAM no",
                        "StrictModes no",
                        "Subsystem sftp internal-sftp",
                        "LogLevel ERROR",
                        ""), StandardCharsets.UTF_8);
                process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(workDir.resolve("sshd.log").toFile())
                        .start();
                if (awaitListening(Duration.ofSeconds(10))) {
                    return this;
                }
                process.destroy();
                process = null;
                last = new IOException("sshd did not listen on port " + port + ": " + log());
            }
            throw last;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start OpenSSH sshd", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException notYet) {
                try {
                    process.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** What sshd printed, for failure messages. */
    public String log() {
        try {
            return Files.readString(workDir.resolve("sshd.log"));
        } catch (IOException e) {
            return "";
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The OS user that may log in (the one running the tests). */
    public String username() {
        return System.getProperty("user.name");
    }

    /** An existing, empty folder for the tests' files; absolute, as SFTP paths are here. */
    public Path dataDir() {
        return workDir.resolve("data");
    }

    public String hostKeyFingerprint() {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, hostKey.getPublic());
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }
}
