package io.ocore.backups.platform.storage.sftp;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.BlockedAddressException;
import io.ocore.backups.platform.storage.Capabilities;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.Keys;
import io.ocore.backups.platform.storage.PinnedResolver;
import io.ocore.backups.platform.storage.Probe;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageException.Kind;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.storage.StoredObject;
import io.ocore.backups.platform.storage.UploadSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.client.impl.AbstractSftpClient;
import org.apache.sshd.sftp.client.impl.SftpInputStreamAsync;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.jboss.logging.Logger;

/**
 * A folder on an SFTP server, through the Apache MINA SSHD client. One SSH session and one SFTP
 * channel per destination, reopened when the connection drops. Puts write a hidden temporary
 * file next to the key and rename it over the key (posix-rename when the server offers it).
 * The server's host key is checked against {@code hostKeyFingerprint}; without one, the key is
 * accepted and its fingerprint reported so the service can pin it.
 */
public final class SftpStorage implements BackupStorage {

    private static final Logger LOG = Logger.getLogger(SftpStorage.class);
    static final String TEMP_PREFIX = ".ocore-tmp-";
    /** OpenSSH drops the session on SFTP messages over 256 KiB; 64 KiB requests, pipelined, stay well inside. */
    private static final int IO_BUFFER = 64 * 1024;

    private final SftpConfig config;
    private final Duration connectTimeout;
    private final SshClient client;
    private final PinnedResolver addresses;
    private final AtomicReference<String> observedFingerprint = new AtomicReference<>();
    private volatile boolean hostKeyRejected;
    private final Set<String> knownFolders = ConcurrentHashMap.newKeySet();
    private ClientSession session;
    private SftpClient sftp;

    public SftpStorage(SftpConfig config, StorageOptions options) {
        this.config = config;
        this.connectTimeout = options.connectTimeout();
        this.addresses = new PinnedResolver(options.allowPrivateEndpoints(), options.resolver());
        this.client = SshClient.setUpDefaultClient();
        // only what the destination config says: no ~/.ssh/config, no ~/.ssh keys, no agent
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setServerKeyVerifier((session, remote, key) -> verifyHostKey(key));
        client.start();
    }

    private boolean verifyHostKey(PublicKey key) {
        String fingerprint = fingerprint(key);
        observedFingerprint.set(fingerprint);
        if (config.hostKeyFingerprint() == null) {
            return true;
        }
        boolean ok = normalize(config.hostKeyFingerprint()).equals(normalize(fingerprint));
        hostKeyRejected = !ok;
        return ok;
    }

    /** {@code SHA256:<base64 without padding>}, as OpenSSH prints it. */
    public static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    private static String normalize(String fp) {
        return fp.endsWith("=") ? fp.substring(0, fp.length() - 1) : fp;
    }

    /** The fingerprint of the host key the server presented on the last connection, or {@code null}. */
    public String observedHostKeyFingerprint() {
        return observedFingerprint.get();
    }

    private synchronized SftpClient sftp() {
        if (sftp != null && sftp.isOpen() && session != null && session.isOpen()) {
            return sftp;
        }
        disconnect();
        ClientSession s = null;
        try {
            hostKeyRejected = false;
            // to the address resolved and judged once for this storage; MINA would resolve the name again
            String address = addresses.resolve(config.host())[0].getHostAddress();
            HostConfigEntry entry = new HostConfigEntry(config.host(), address, config.port(), config.username());
            s = client.connect(entry, null, null).verify(connectTimeout).getSession();
            if (config.password() != null) {
                s.addPasswordIdentity(config.password());
            }
            if (config.privateKey() != null) {
                for (KeyPair kp : SftpKeys.load(config.privateKey(), config.passphrase())) {
                    s.addPublicKeyIdentity(kp);
                }
            }
            s.auth().verify(connectTimeout);
            session = s;
            sftp = SftpClientFactory.instance().createSftpClient(s);
            return sftp;
        } catch (Exception e) {
            if (s != null) {
                s.close(true);
            }
            throw mapConnect(e);
        }
    }

    private synchronized void disconnect() {
        try {
            if (sftp != null) {
                sftp.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        if (session != null) {
            session.close(true);
        }
        sftp = null;
        session = null;
    }

    private synchronized void dropIfBroken(SftpClient c) {
        if (c == sftp && (!c.isOpen() || session == null || !session.isOpen())) {
            disconnect();
            knownFolders.clear();
        }
    }

    private String path(String key) {
        return join(config.path(), Keys.check(key));
    }

    private static String join(String base, String rest) {
        if (rest.isEmpty()) {
            return base;
        }
        return base.endsWith("/") ? base + rest : base + "/" + rest;
    }

    /** Runs an operation; after a dropped connection it reconnects and runs it once more. */
    private <T> T call(String what, String key, SftpCall<T> op) {
        for (int attempt = 1;; attempt++) {
            SftpClient c = sftp();
            try {
                return op.run(c);
            } catch (IOException e) {
                dropIfBroken(c);
                StorageException se = mapIo(e, what, key);
                if (attempt >= 2 || se.kind() != Kind.TRANSIENT) {
                    throw se;
                }
            }
        }
    }

    @FunctionalInterface
    private interface SftpCall<T> {
        T run(SftpClient c) throws IOException;
    }

    @Override
    public StoredObject put(String key, InputStream data) {
        String target = path(key);
        String folder = target.substring(0, target.lastIndexOf('/'));
        String tmp = folder + "/" + TEMP_PREFIX + UUID.randomUUID();
        UploadSource in = new UploadSource(data);
        SftpClient c = sftp();
        try {
            mkdirs(c, folder);
            long size;
            try (SftpClient.CloseableHandle h = c.open(tmp, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                    SftpClient.OpenMode.Truncate)) {
                try (OutputStream out = output(c, tmp, h)) {
                    size = in.transferTo(out);
                }
                fsync(c, h, tmp);
            }
            rename(c, tmp, target);
            return new StoredObject(key, size);
        } catch (IOException | RuntimeException e) {
            removeQuietly(c, tmp);
            if (e instanceof StorageException se) {
                throw se;
            }
            dropIfBroken(c);
            throw mapIo((IOException) e, "write", key);
        }
    }

    /** The pipelined writer of sshd on an already open handle (which it leaves open), else plain writes. */
    private static OutputStream output(SftpClient c, String path, SftpClient.CloseableHandle h) throws IOException {
        if (c instanceof AbstractSftpClient a) {
            return new SftpOutputStreamAsync(a, IO_BUFFER, path, h, false);
        }
        return new OutputStream() {
            long offset;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                c.write(h, offset, b, off, len);
                offset += len;
            }
        };
    }

    /** Puts that asked the server to flush the file to its disk ({@code fsync@openssh.com}) before the rename. */
    private final java.util.concurrent.atomic.AtomicLong fsyncs = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The written temp file reaches the server's disk before it is renamed over the key, when the
     * server offers {@code fsync@openssh.com} (OpenSSH does); otherwise it is as durable as the
     * server makes a closed file (docs/storage.md "Integrity").
     */
    private void fsync(SftpClient c, SftpClient.Handle h, String path) throws IOException {
        OpenSSHFsyncExtension ext = c.getExtension(OpenSSHFsyncExtension.class);
        if (ext != null && ext.isSupported()) {
            ext.fsync(h);
            fsyncs.incrementAndGet();
            LOG.debugf("fsync@openssh.com on %s", path);
        }
    }

    /** How many puts of this storage were fsynced on the server (for tests and diagnostics). */
    public long fsyncCount() {
        return fsyncs.get();
    }

    private void mkdirs(SftpClient c, String folder) throws IOException {
        if (knownFolders.contains(folder)) {
            return;
        }
        String base = config.path();
        try {
            SftpClient.Attributes a = c.stat(base);
            if (!a.isDirectory()) {
                throw containerMissing();
            }
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw containerMissing();
            }
            throw e;
        }
        String rel = folder.length() > base.length() ? folder.substring(base.length() + (base.endsWith("/") ? 0 : 1)) : "";
        String current = base;
        for (String segment : rel.isEmpty() ? new String[0] : rel.split("/")) {
            current = join(current, segment);
            if (knownFolders.contains(current)) {
                continue;
            }
            try {
                c.mkdir(current);
            } catch (SftpException e) {
                // already there (possibly created by a concurrent put) is fine
                SftpClient.Attributes a;
                try {
                    a = c.stat(current);
                } catch (SftpException notThere) {
                    throw e;
                }
                if (!a.isDirectory()) {
                    throw new StorageException(Kind.PERMANENT, "'" + current + "' exists on the server but is not a folder.");
                }
            }
            knownFolders.add(current);
        }
        knownFolders.add(folder);
    }

    private StorageException containerMissing() {
        return new StorageException(Kind.CONTAINER_MISSING, "The folder '" + config.path() + "' does not exist on "
                + config.host() + "; create it or correct the path.");
    }

    private static void rename(SftpClient c, String from, String to) throws IOException {
        OpenSSHPosixRenameExtension posix = c.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix != null && posix.isSupported()) {
            posix.posixRename(from, to);
            return;
        }
        // plain SFTP v3 rename refuses an existing target: remove it first (brief window without the key)
        try {
            c.rename(from, to);
        } catch (SftpException e) {
            removeQuietly(c, to);
            c.rename(from, to);
        }
    }

    private static void removeQuietly(SftpClient c, String path) {
        try {
            c.remove(path);
        } catch (IOException | RuntimeException ignored) {
            // it may never have been created
        }
    }

    @Override
    public InputStream get(String key) {
        String p = path(key);
        return call("read", key, c -> {
            SftpClient.Attributes a = c.stat(p);
            if (a.isDirectory()) {
                throw StorageException.notFound(key);
            }
            return c.read(p, IO_BUFFER);
        });
    }

    /** Reads from {@code offset} on an open handle (pipelined when sshd allows), up to the range's end. */
    @Override
    public InputStream get(String key, long offset, long length) {
        BackupStorage.checkRange(offset, length);
        String p = path(key);
        return call("read", key, c -> {
            SftpClient.Attributes a = c.stat(p);
            if (a.isDirectory()) {
                throw StorageException.notFound(key);
            }
            long size = a.getSize();
            if (length == 0 || offset >= size) {
                return InputStream.nullInputStream();
            }
            long end = offset + Math.min(length, size - offset);
            SftpClient.CloseableHandle h = c.open(p, SftpClient.OpenMode.Read);
            if (c instanceof AbstractSftpClient ac) {
                // reads no further ahead than the range's end; the stream closes the handle
                return new BoundedInputStream(new SftpInputStreamAsync(ac, IO_BUFFER, offset, end, p, h, true),
                        end - offset);
            }
            return new BoundedInputStream(new HandleInputStream(c, h, offset), end - offset);
        });
    }

    /** Plain positioned reads on a handle, for an sftp client without the pipelined reader. */
    private static final class HandleInputStream extends InputStream {
        private final SftpClient c;
        private final SftpClient.CloseableHandle h;
        private long position;

        HandleInputStream(SftpClient c, SftpClient.CloseableHandle h, long position) {
            this.c = c;
            this.h = h;
            this.position = position;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = c.read(h, position, b, off, Math.min(len, IO_BUFFER));
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            h.close();
        }
    }

    @Override
    public List<StoredObject> list(String prefix) {
        String pre = Keys.checkPrefix(prefix);
        String folderKey = Keys.folderOf(pre);
        return call("list", pre, c -> {
            List<StoredObject> out = new ArrayList<>();
            try {
                SftpClient.Attributes a = c.stat(config.path());
                if (!a.isDirectory()) {
                    throw containerMissing();
                }
            } catch (SftpException e) {
                if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw containerMissing();
                }
                throw e;
            }
            walk(c, folderKey, pre, out, false);
            out.sort(Comparator.comparing(StoredObject::key));
            return out;
        });
    }

    /** Walks folders under the prefix; with {@code interruptedPuts}, collects only the temporary files of puts a crash cut short. */
    private void walk(SftpClient c, String folderKey, String prefix, List<StoredObject> out, boolean interruptedPuts)
            throws IOException {
        List<SftpClient.DirEntry> entries = new ArrayList<>();
        try {
            // the iterable reads lazily and reports failures unchecked
            c.readDir(join(config.path(), folderKey)).forEach(entries::add);
        } catch (java.io.UncheckedIOException | SftpException e) {
            IOException io = e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e;
            if (io instanceof SftpException se && se.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return;
            }
            throw io;
        }
        List<String> subfolders = new ArrayList<>();
        for (SftpClient.DirEntry e : entries) {
            String name = e.getFilename();
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            String key = folderKey.isEmpty() ? name : folderKey + "/" + name;
            if (name.startsWith(TEMP_PREFIX)) {
                if (interruptedPuts && (folderKey + "/").startsWith(prefix)) {
                    out.add(new StoredObject(key, e.getAttributes().getSize(), null));
                }
                continue;
            }
            SftpClient.Attributes a = e.getAttributes();
            if (a.isDirectory()) {
                if ((key + "/").startsWith(prefix) || prefix.startsWith(key + "/")) {
                    subfolders.add(key);
                }
            } else if (!interruptedPuts && a.isRegularFile() && key.startsWith(prefix)) {
                out.add(new StoredObject(key, a.getSize(),
                        a.getModifyTime() == null ? null : a.getModifyTime().toInstant()));
            }
        }
        for (String sub : subfolders) {
            walk(c, sub, prefix, out, interruptedPuts);
        }
    }

    @Override
    public void delete(String key) {
        String p = path(key);
        call("delete", key, c -> {
            try {
                c.remove(p);
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
            }
            return null;
        });
    }

    @Override
    public int deletePrefix(String prefix) {
        int n = BackupStorage.super.deletePrefix(prefix);
        // Temporary files of puts a crash interrupted: invisible to list, removed with the prefix.
        String pre = Keys.checkPrefix(prefix);
        List<StoredObject> leftovers = call("list", pre, c -> {
            List<StoredObject> out = new ArrayList<>();
            walk(c, Keys.folderOf(pre), pre, out, true);
            return out;
        });
        for (StoredObject o : leftovers) {
            delete(o.key());
        }
        return n;
    }

    @Override
    public ProbeResult probe() {
        return Probe.run(this, () -> {
            String fp = observedFingerprint.get();
            return fp != null && config.hostKeyFingerprint() == null && !hostKeyRejected
                    ? Map.of("hostKeyFingerprint", fp) : Map.of();
        });
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, false, false, true, Long.MAX_VALUE);
    }

    @Override
    public DestinationType type() {
        return DestinationType.sftp;
    }

    @Override
    public void close() {
        disconnect();
        client.stop();
    }

    private StorageException mapConnect(Exception e) {
        if (e instanceof StorageException se) {
            return se;
        }
        String where = config.host() + ":" + config.port();
        if (hostKeyRejected) {
            return new StorageException(Kind.HOST_KEY_MISMATCH, "The server " + where + " presented the host key "
                    + observedFingerprint.get() + " but " + config.hostKeyFingerprint() + " is pinned. If the "
                    + "server's key was replaced on purpose, update hostKeyFingerprint; otherwise someone may be "
                    + "intercepting the connection.", e);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BlockedAddressException b) {
                return new StorageException(Kind.PERMANENT, "The host '" + config.host() + "' is not allowed: it "
                        + b.getMessage() + ".", e);
            }
            if (c instanceof UnknownHostException) {
                return new StorageException(Kind.NAME_RESOLUTION, "The host name '" + config.host()
                        + "' could not be resolved; check the host and this server's DNS.", e);
            }
            if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
                return new StorageException(Kind.TRANSIENT, "Could not connect to " + where
                        + " (connection refused or unreachable).", e);
            }
            if (c instanceof SocketTimeoutException || c instanceof TimeoutException) {
                return new StorageException(Kind.TIMEOUT, "The server " + where + " did not answer in time.", e);
            }
        }
        if (e instanceof SshException && session == null && e.getMessage() != null) {
            String m = e.getMessage().toLowerCase();
            if (m.contains("timeout") || m.contains("timed out")) {
                return new StorageException(Kind.TIMEOUT, "The server " + where + " did not answer in time.", e);
            }
            if (m.contains("auth") || m.contains("no more authentication methods")) {
                return new StorageException(Kind.AUTHENTICATION, "The server " + where + " refused user '"
                        + config.username() + "' with the given " + (config.privateKey() != null ? "private key" : "password")
                        + ".", e);
            }
        }
        return new StorageException(Kind.TRANSIENT, "The SSH connection to " + where + " failed ("
                + e.getClass().getSimpleName() + ").", e);
    }

    private StorageException mapIo(IOException e, String what, String key) {
        if (e instanceof SftpException se) {
            return switch (se.getStatus()) {
                case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH ->
                        StorageException.notFound(key);
                case SftpConstants.SSH_FX_PERMISSION_DENIED, SftpConstants.SSH_FX_WRITE_PROTECT ->
                        new StorageException(Kind.PERMISSION, "User '" + config.username() + "' may not " + what
                                + " '" + key + "' in '" + config.path() + "' on " + config.host() + ".", e);
                case SftpConstants.SSH_FX_NO_SPACE_ON_FILESYSTEM, SftpConstants.SSH_FX_QUOTA_EXCEEDED ->
                        new StorageException(Kind.PERMANENT, "The server " + config.host() + " is out of space or quota.", e);
                case SftpConstants.SSH_FX_CONNECTION_LOST, SftpConstants.SSH_FX_NO_CONNECTION ->
                        new StorageException(Kind.TRANSIENT, "The connection to " + config.host() + " was lost.", e);
                default -> new StorageException(Kind.PERMANENT, "The server " + config.host() + " could not " + what
                        + " '" + key + "' (SFTP status " + se.getStatus() + ").", e);
            };
        }
        if (e instanceof SocketTimeoutException) {
            return new StorageException(Kind.TIMEOUT, "The server " + config.host() + " did not answer in time.", e);
        }
        return new StorageException(Kind.TRANSIENT, "The connection to " + config.host() + " failed while trying to "
                + what + " '" + key + "' (" + e.getClass().getSimpleName() + ").", e);
    }
}
