package io.ocore.backups.platform.testing.sftp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An SFTP server in this JVM (Apache MINA SSHD) on 127.0.0.1 and a free port, serving
 * {@code root} as "/" to one user with a password and any authorized public keys.
 */
public final class SftpTestServer implements AutoCloseable {

    private final Path root;
    private final String username;
    private final String password;
    private final List<PublicKey> authorizedKeys = new CopyOnWriteArrayList<>();
    private final KeyPair hostKey;
    private SshServer server;

    public SftpTestServer(Path root) {
        this(root, "ocore", "pw-" + UUID.randomUUID());
    }

    public SftpTestServer(Path root, String username, String password) {
        this.root = root;
        this.username = username;
        this.password = password;
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            this.hostKey = gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets {@code key} log in as the user (may be called before or after start). */
    public SftpTestServer authorize(PublicKey key) {
        authorizedKeys.add(key);
        return this;
    }

    public synchronized SftpTestServer start() {
        if (server != null) {
            return this;
        }
        try {
            Files.createDirectories(root);
            server = SshServer.setUpDefaultServer();
            server.setHost("127.0.0.1");
            server.setPort(0);
            server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
            server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
            server.setFileSystemFactory(new VirtualFileSystemFactory(root.toAbsolutePath()));
            server.setPasswordAuthenticator((user, pw, session) -> username.equals(user) && password.equals(pw));
            server.setPublickeyAuthenticator((user, key, session) -> username.equals(user)
                    && authorizedKeys.stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
            server.setKeyboardInteractiveAuthenticator(null);
            server.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the SFTP test server", e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return server.getPort();
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** The folder served as "/". */
    public Path root() {
        return root;
    }

    /** The server's host key fingerprint, {@code SHA256:...} as OpenSSH prints it. */
    public String hostKeyFingerprint() {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, hostKey.getPublic());
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            try {
                server.stop(true);
            } catch (IOException ignored) {
                // stopping anyway
            }
            server = null;
        }
    }
}
