package io.ocore.backups.restore;

import io.ocore.backups.platform.backupformat.BackupKeys;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentWriter;
import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.backupformat.blobs.BlobCatalogue;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.FilestoreIndex;
import io.ocore.backups.platform.backupformat.blobs.FilestoreWriter;
import io.ocore.backups.platform.backupformat.blobs.PackIndex;
import io.ocore.backups.platform.odoofixture.OdooEnvironmentGenerator;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Odoo-shaped environments in one dedicated PostgreSQL cluster (generated with
 * OdooEnvironmentGenerator), and backups of them written exactly as backup-service writes them
 * (ComponentWriter, BackupKeys, BackupLayout, manifest last).
 */
final class OdooWorld {

    static final List<String> TABLES = List.of("res_company", "res_partner", "res_users", "ir_config_parameter",
            "ir_cron", "ir_mail_server", "fetchmail_server", "payment_provider", "product_template",
            "product_product", "sale_order", "account_move", "account_move_line", "mail_message", "ir_attachment");

    private static PostgresCluster cluster;
    static Path root;
    /** Where the cluster archives its WAL (archive_mode on, {@code cp}): what a PITR restore replays. */
    static Path walArchive;
    /** The WAL file each PITR backup's base started in. */
    private static final Map<UUID, String> START_WAL = new java.util.concurrent.ConcurrentHashMap<>();

    record Env(UUID org, UUID id, UUID project, String db, Path filestore, Path config) {

        /** The environment's name, as backup-service (InternalStub) reports it. */
        String name() {
            return db + "-env";
        }

    }

    static synchronized PostgresCluster cluster() throws IOException {
        if (cluster == null) {
            walArchive = Files.createTempDirectory(Path.of("/tmp"), "ocore-restore-wal-");
            Files.setPosixFilePermissions(walArchive, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            cluster = PostgresCluster.start(Map.of("archive_mode", "on", "archive_command",
                    "'cp %p " + walArchive + "/%f'"));
            root = Files.createTempDirectory(Path.of("/tmp"), "ocore-restore-test-");
            // the work dir is under it: a PITR restore's scratch server (user postgres) must reach it
            Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            Path dir = root;
            Path wal = walArchive;
            PostgresCluster c = cluster;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                c.close();
                for (Path d : List.of(dir, wal)) {
                    try (Stream<Path> s = Files.walk(d)) {
                        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }));
        }
        return cluster;
    }

    /** A generated environment registered in the stub. */
    static Env environment(UUID org, UUID project, String db, String type, long seed) throws Exception {
        return environment(org, project, db, type, seed, 1);
    }

    /** The same of about {@code sizeMb} MB (about half database, half filestore). */
    static Env environment(UUID org, UUID project, String db, String type, long seed, int sizeMb) throws Exception {
        PostgresCluster c = cluster();
        c.createDatabase(db);
        Path filestore = root.resolve("filestore").resolve(db);
        Path config = root.resolve("conf").resolve(db + ".conf");
        try (Connection conn = c.connect(db)) {
            OdooEnvironmentGenerator.generate(conn, filestore, config, sizeMb, seed);
        }
        UUID id = UUID.randomUUID();
        InternalStub.environment(org, id, project, db + "-env", type, c.port(), db, filestore.toString(), config.toString());
        return new Env(org, id, project, db, filestore, config);
    }

    record Backup(UUID id, Map<String, String> checksums, Map<UUID, String> remotePaths) {
    }

    /** A full backup of {@code env} on every destination, as backup-service writes one; registered as completed. */
    static Backup backup(EnvelopeCipher cipher, Env env, Map<UUID, BackupStorage> destinations) throws Exception {
        return backup(cipher, env, destinations, "full");
    }

    /**
     * A backup of {@code env} of type {@code full} (database, filestore, config) or {@code db} (the
     * database component only), on every destination, as backup-service writes one; registered as
     * completed with backup-service's checksums (a db backup's filestore and config are null).
     */
    static Backup backup(EnvelopeCipher cipher, Env env, Map<UUID, BackupStorage> destinations, String type)
            throws Exception {
        return backup(cipher, env, destinations, type, false, false);
    }

    /**
     * A full backup of a WAL-enabled environment, as backup-service writes one (ADR 0017): also a
     * {@code base} component (pg_basebackup's base.tar) and the manifest's {@code pitrBase}.
     */
    static Backup pitrBackup(EnvelopeCipher cipher, Env env, Map<UUID, BackupStorage> destinations) throws Exception {
        return backup(cipher, env, destinations, "full", false, true);
    }

    /**
     * A full backup whose filestore is in the environment's blob store (ADR 0015), as
     * backup-service writes one: FilestoreWriter packs the blobs on every destination (a catalogue
     * over a map), its index is the filestore component (layout blob-index), the manifest format 2
     * with the sealed blob-store key.
     */
    static Backup blobBackup(EnvelopeCipher cipher, Env env, Map<UUID, BackupStorage> destinations) throws Exception {
        return backup(cipher, env, destinations, "full", true, false);
    }

    /** A PITR backup (base component) whose filestore is in the blob store: what a WAL-enabled environment has. */
    static Backup pitrBlobBackup(EnvelopeCipher cipher, Env env, Map<UUID, BackupStorage> destinations)
            throws Exception {
        return backup(cipher, env, destinations, "full", true, true);
    }

    /**
     * A capture of {@code paths} of the environment's filestore as backup-service's FilestoreCapturer
     * writes one: their blobs packed by FilestoreWriter (the environment's catalogue), then the capture
     * object (FilestoreCapture, first seen now) on every destination. Answers its name.
     */
    static String capture(EnvelopeCipher cipher, Env env, Map<UUID, BackupStorage> destinations, List<String> paths)
            throws Exception {
        BlobKeys keys = BlobKeys.unseal(cipher, env.id(), BLOB_KEYS.get(env.id()));
        Path only = Files.createTempDirectory("ocore-capture-");
        for (String p : paths) {
            Files.createDirectories(only.resolve(p).getParent());
            Files.copy(env.filestore().resolve(p), only.resolve(p));
        }
        List<FilestoreWriter.Destination> targets = new ArrayList<>();
        destinations.forEach((id, st) -> targets.add(new FilestoreWriter.Destination(id, st)));
        java.io.ByteArrayOutputStream index = new java.io.ByteArrayOutputStream();
        FilestoreWriter.Result r = new FilestoreWriter(keys, env.org(), env.id(), FilestoreWriter.Options.defaults())
                .write(only, targets, CATALOGUES.computeIfAbsent(env.id(), id -> new MapCatalogue()), Map.of(), index,
                        TarArchives.ReadHook.NONE, n -> {
                        });
        if (!r.failures().isEmpty()) {
            throw new IOException("blob upload failed: " + r.failures());
        }
        Instant at = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<io.ocore.backups.platform.backupformat.blobs.FilestoreCapture.Seen> seen = new ArrayList<>();
        for (FilestoreIndex.Entry e : FilestoreIndex.read(new ByteArrayInputStream(index.toByteArray())).entries()) {
            if (e.type() == FilestoreIndex.Type.file) {
                seen.add(new io.ocore.backups.platform.backupformat.blobs.FilestoreCapture.Seen(e, at));
            }
        }
        String name = BlobLayout.newCaptureName(at);
        byte[] object = io.ocore.backups.platform.backupformat.blobs.FilestoreCapture.encrypt(keys, name, at,
                BlobLayout.CHUNK_BYTES, seen);
        for (BackupStorage st : destinations.values()) {
            st.put(BlobLayout.captureKey(env.org(), env.id(), name), new ByteArrayInputStream(object));
        }
        return name;
    }

    /** The blob-store key of each environment, sealed, as backup-service keeps it (one per environment). */
    private static final Map<UUID, String> BLOB_KEYS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A catalogue over a map: which destination holds which blob (backup-service's blob_location). */
    static final class MapCatalogue implements BlobCatalogue {
        final Map<UUID, java.util.Set<String>> held = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public boolean holds(UUID destinationId, String blobId) {
            return held.getOrDefault(destinationId, java.util.Set.of()).contains(blobId);
        }

        @Override
        public void packStored(java.util.Set<UUID> destinationIds, PackIndex index, long packBytes) {
            for (UUID d : destinationIds) {
                java.util.Set<String> ids = held.computeIfAbsent(d, k -> java.util.concurrent.ConcurrentHashMap.newKeySet());
                index.blobs().forEach(b -> ids.add(b.blobId()));
            }
        }
    }

    private static final Map<UUID, MapCatalogue> CATALOGUES = new java.util.concurrent.ConcurrentHashMap<>();

    private static Backup backup(EnvelopeCipher cipher, Env env, Map<UUID, BackupStorage> destinations, String type,
            boolean blobs, boolean base) throws Exception {
        if (!type.equals("full") && !type.equals("db")) {
            throw new IllegalArgumentException("backup type " + type);
        }
        UUID backupId = UUID.randomUUID();
        EnvelopeCipher.StreamingKey key = BackupKeys.newKey(cipher, backupId);
        ComponentWriter writer = new ComponentWriter();
        List<BackupManifest.Component> components = new ArrayList<>();
        Map<String, String> checksums = new LinkedHashMap<>();
        checksums.put("database", null);
        checksums.put("filestore", null);
        checksums.put("config", null);
        Map<ComponentName, ComponentWriter.RawProducer> producers = new LinkedHashMap<>();
        producers.put(ComponentName.database, out -> pgDump(env.db(), out));
        String sealedKey = blobs ? BLOB_KEYS.computeIfAbsent(env.id(), id -> BlobKeys.generateSealed(cipher, id)) : null;
        FilestoreWriter.Result[] written = new FilestoreWriter.Result[1];
        if (type.equals("full") && blobs) {
            BlobKeys keys = BlobKeys.unseal(cipher, env.id(), sealedKey);
            List<FilestoreWriter.Destination> targets = new ArrayList<>();
            destinations.forEach((id, st) -> targets.add(new FilestoreWriter.Destination(id, st)));
            MapCatalogue catalogue = CATALOGUES.computeIfAbsent(env.id(), id -> new MapCatalogue());
            producers.put(ComponentName.filestore, out -> {
                written[0] = new FilestoreWriter(keys, env.org(), env.id(), FilestoreWriter.Options.defaults())
                        .write(env.filestore(), targets, catalogue, Map.of(), out, TarArchives.ReadHook.NONE, n -> {
                        });
                if (!written[0].failures().isEmpty()) {
                    throw new IOException("blob upload failed: " + written[0].failures());
                }
            });
        } else if (type.equals("full")) {
            producers.put(ComponentName.filestore, out -> TarArchives.writeDirectory(env.filestore(), out));
            producers.put(ComponentName.config, out -> TarArchives.writeFiles(Map.of("odoo.conf",
                    Files.readAllBytes(env.config()), "environment.json", "{}".getBytes()), out));
        }
        String startLsn = null;
        String startWalFile = null;
        if (base) {
            startLsn = one("select pg_current_wal_lsn()");
            startWalFile = one("select pg_walfile_name(pg_current_wal_lsn())");
            checksums.put("base", null);
            producers.put(ComponentName.base, out -> pgBaseBackup("ocore-backup-" + backupId, out));
        }
        for (var p : producers.entrySet()) {
            boolean index = blobs && p.getKey() == ComponentName.filestore;
            String objectKey = index ? BackupLayout.backupDir(env.org(), env.id(), backupId) + BlobLayout.FILESTORE_INDEX
                    : BackupLayout.componentKey(env.org(), env.id(), backupId, p.getKey());
            Map<String, ComponentWriter.Sink> sinks = new LinkedHashMap<>();
            destinations.forEach((id, s) -> sinks.put(id.toString(), in -> s.put(objectKey, in)));
            ComponentWriter.Result r = writer.write(p.getValue(), key.aead(),
                    BackupKeys.associatedData(backupId, p.getKey()), sinks, null);
            if (!r.failures().isEmpty()) {
                throw new IllegalStateException("backup write failed: " + r.failures());
            }
            checksums.put(p.getKey().name(), r.sha256());
            components.add(new BackupManifest.Component(p.getKey().name(), objectKey, r.storedBytes(), r.rawBytes(),
                    r.sha256(), BackupManifest.COMPRESSION_ZSTD, new BackupManifest.Encryption(
                            BackupManifest.ENCRYPTION_SCHEME, key.masterKeyId(), key.wrappedKey()),
                    index ? BackupManifest.LAYOUT_BLOB_INDEX : null));
        }
        BackupManifest.PitrBase pitr = base ? new BackupManifest.PitrBase(startLsn,
                one("select pg_current_wal_lsn()"), 1, startWalFile, Instant.now()) : null;
        byte[] manifest = new BackupManifest(blobs ? BackupManifest.FORMAT_VERSION : BackupManifest.FORMAT_VERSION_TAR,
                backupId, env.id(), env.org(), type, Instant.now(), "15", null, components,
                blobs ? new BackupManifest.BlobStore(sealedKey) : null, pitr).toJson();
        Map<UUID, String> paths = new LinkedHashMap<>();
        for (var d : destinations.entrySet()) {
            d.getValue().put(BackupLayout.manifestKey(env.org(), env.id(), backupId), new ByteArrayInputStream(manifest));
            paths.put(d.getKey(), BackupLayout.backupDir(env.org(), env.id(), backupId));
        }
        InternalStub.backup(env.org(), backupId, env.id(), "completed", type, paths, checksums);
        if (base) {
            START_WAL.put(backupId, startWalFile);
        }
        return new Backup(backupId, checksums, paths);
    }

    /**
     * Switches to a new WAL segment, waits (with a deadline) until the cluster archived the one it
     * left, then stores every archived segment from {@code backup}'s base on as wal-archiver does
     * (a WalObject at BackupLayout.walKey on every destination). Answers wal-archiver's catalogue
     * entries for them (the {@code files} of its internal pitr-range).
     */
    static List<Map<String, Object>> archiveWal(EnvelopeCipher cipher, Env env, Map<UUID, BackupStorage> destinations,
            UUID backup) throws Exception {
        String switched = one("select pg_walfile_name(pg_switch_wal())");
        org.awaitility.Awaitility.await("WAL " + switched + " archived by the cluster").atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(100)).until(() -> {
                    String last = one("select coalesce(last_archived_wal, '') from pg_stat_archiver");
                    return last.length() == 24 && last.compareTo(switched) >= 0;
                });
        String start = START_WAL.get(backup);
        List<Path> segments;
        try (Stream<Path> s = Files.list(walArchive)) {
            segments = s.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}"))
                    .filter(p -> p.getFileName().toString().compareTo(start) >= 0
                            && p.getFileName().toString().compareTo(switched) <= 0)
                    .sorted().toList();
        }
        List<Map<String, Object>> files = new ArrayList<>();
        for (Path p : segments) {
            String name = p.getFileName().toString();
            byte[] plain = Files.readAllBytes(p);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain));
            EnvelopeCipher.StreamingKey key = cipher.newStreamingKey(
                    io.ocore.backups.platform.backupformat.wal.WalObject.keyContext(env.id()));
            byte[] header = io.ocore.backups.platform.backupformat.wal.WalObject.Header.of(env.org(), env.id(), name,
                    plain.length, sha, key).toBytes();
            String objectKey = BackupLayout.walKey(env.org(), env.id(), 1, name);
            Map<String, ComponentWriter.Sink> sinks = new LinkedHashMap<>();
            destinations.forEach((id, st) -> sinks.put(id.toString(), in -> st.put(objectKey,
                    new java.io.SequenceInputStream(new ByteArrayInputStream(header), in))));
            ComponentWriter.Result r = new ComponentWriter().write(out -> out.write(plain), key.aead(),
                    io.ocore.backups.platform.backupformat.wal.WalObject.associatedData(env.id(), name), sinks, null);
            if (!r.failures().isEmpty()) {
                throw new IllegalStateException("WAL write failed: " + r.failures());
            }
            files.add(Map.of("fileName", name, "kind", "segment", "timeline", 1, "sizeBytes", plain.length,
                    "sha256", sha, "destinationIds", destinations.keySet().stream().map(UUID::toString).toList()));
        }
        return files;
    }

    private static String one(String sql) throws Exception {
        try (Connection c = cluster().connect("postgres"); Statement st = c.createStatement()) {
            return one(st, sql);
        }
    }

    /** backup-service's base: base.tar on standard output, no WAL. */
    private static void pgBaseBackup(String label, java.io.OutputStream out) throws IOException {
        PostgresCluster c = cluster();
        ProcessBuilder pb = new ProcessBuilder(c.bin().resolve("pg_basebackup").toString(), "--pgdata=-",
                "--format=tar", "--wal-method=none", "--checkpoint=fast", "--label=" + label, "-h", "127.0.0.1",
                "-p", Integer.toString(c.port()), "-U", "postgres");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
            if (p.waitFor() != 0) {
                throw new IOException("pg_basebackup failed");
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    private static void pgDump(String db, java.io.OutputStream out) throws IOException {
        PostgresCluster c = cluster();
        ProcessBuilder pb = new ProcessBuilder(c.bin().resolve("pg_dump").toString(), "--format=custom",
                "--compress=0", "-h", "127.0.0.1", "-p", Integer.toString(c.port()), "-U", "postgres", db);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
            if (p.waitFor() != 0) {
                throw new IOException("pg_dump failed");
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    /** What must not change when a restore fails: row counts, a digest of partners, neutralization markers, files. */
    static Map<String, String> fingerprint(Env env) throws Exception {
        Map<String, String> f = new TreeMap<>();
        try (Connection c = cluster().connect(env.db()); Statement st = c.createStatement()) {
            for (String t : TABLES) {
                try (ResultSet rs = st.executeQuery("select count(*) from " + t)) {
                    rs.next();
                    f.put("rows." + t, rs.getString(1));
                }
            }
            f.put("partners", one(st, "select md5(string_agg(name, ',' order by id)) from res_partner"));
            f.put("neutralized", one(st, "select value from ir_config_parameter where key = 'database.is_neutralized'"));
            f.put("activeMailServers", one(st, "select count(*) from ir_mail_server where active"));
            f.put("activeCrons", one(st, "select count(*) from ir_cron where active"));
        }
        f.put("files", files(env.filestore()));
        f.put("config", Files.readString(env.config()));
        return f;
    }

    static String one(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static String files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "missing";
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                md.update(dir.relativize(p).toString().getBytes());
                md.update(Files.readAllBytes(p));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Every regular file and directory under {@code dir}: relative path -> type, POSIX mode and,
     * for a file, the SHA-256 of its bytes.
     */
    static Map<String, String> filesAndModes(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(x -> !x.equals(dir)).sorted().toList()) {
                String mode = java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    m.put(dir.relativize(p).toString(), "dir " + mode);
                } else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    MessageDigest md;
                    try {
                        md = MessageDigest.getInstance("SHA-256");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    m.put(dir.relativize(p).toString(), "file " + mode + " " + HexFormat.of().formatHex(
                            md.digest(Files.readAllBytes(p))));
                }
            }
        }
        return m;
    }

    /** Databases and directories a restore creates temporarily; none may remain after it ends. */
    static List<String> leftovers() throws Exception {
        List<String> found = new ArrayList<>();
        try (Connection c = cluster().connect("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select datname from pg_database where datname like '%\\_restore\\_%'"
                        + " or datname like '%\\_prerestore\\_%'")) {
            while (rs.next()) {
                found.add(rs.getString(1));
            }
        }
        for (String sub : List.of("filestore", "conf")) {
            Path d = root.resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    s.map(p -> p.getFileName().toString())
                            .filter(n -> n.contains(".restore-") || n.contains(".prerestore-") || n.endsWith(".restore-tmp"))
                            .forEach(found::add);
                }
            }
        }
        return found;
    }
}
