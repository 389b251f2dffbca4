package io.ocore.backups.wal;

import io.ocore.backups.platform.walformat.WalFileName;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Writes catalogue rows as ingest does (the V2 contract): the tests stand in for ingest with
 * realistic rows (16 MiB segments, SHA-256, stored size, commit times and counts).
 */
final class WalRows {

    private WalRows() {
    }

    static Connection connect() throws SQLException {
        Config c = ConfigProvider.getConfig();
        String url = "jdbc:postgresql://127.0.0.1:" + c.getValue("ocore.test.postgres.port", String.class) + "/"
                + c.getValue("ocore.test.postgres.database", String.class);
        return DriverManager.getConnection(url, "postgres", "");
    }

    /** A file to insert; null commit times: it holds no commit. */
    record File(String name, Instant firstCommitAt, Instant lastCommitAt, int commits, Instant archivedAt) {
    }

    static File segment(String name, Instant first, Instant last, int commits, Instant archivedAt) {
        return new File(name, first, last, commits, archivedAt);
    }

    /** Inserts the files in one transaction (ingest commits each; a scan never sees half of them). */
    static void insert(UUID env, List<UUID> destinations, File... files) throws SQLException {
        try (Connection conn = connect()) {
            conn.setAutoCommit(false);
            try (var st = conn.prepareStatement("""
                    insert into wal_file (environment_id, file_name, kind, timeline, segment_no, size_bytes, sha256,
                        stored_bytes, first_commit_at, last_commit_at, commit_count, destination_ids, archived_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                for (File f : files) {
                    WalFileName n = WalFileName.parse(f.name());
                    String kind = n.kind().name().toLowerCase();
                    boolean history = "history".equals(kind);
                    st.setObject(1, env);
                    st.setString(2, f.name());
                    st.setString(3, kind);
                    st.setInt(4, n.timeline());
                    if (history) {
                        st.setNull(5, java.sql.Types.BIGINT);
                    } else {
                        st.setLong(5, n.segmentNo());
                    }
                    long size = history || "backup".equals(kind) ? 300 : 16L << 20;
                    st.setLong(6, size);
                    st.setString(7, HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest((env + f.name()).getBytes())));
                    st.setLong(8, history ? 350 : size / 9);
                    st.setTimestamp(9, f.firstCommitAt() == null ? null : Timestamp.from(f.firstCommitAt()));
                    st.setTimestamp(10, f.lastCommitAt() == null ? null : Timestamp.from(f.lastCommitAt()));
                    st.setInt(11, f.commits());
                    st.setArray(12, conn.createArrayOf("uuid", destinations.toArray()));
                    st.setTimestamp(13, Timestamp.from(f.archivedAt()));
                    st.addBatch();
                }
                st.executeBatch();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            conn.commit();
        }
    }

    static long count(String sql, Object... params) throws SQLException {
        try (Connection conn = connect(); var st = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static void execute(String sql, Object... params) throws SQLException {
        try (Connection conn = connect(); var st = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i] instanceof Instant t ? Timestamp.from(t) : params[i]);
            }
            st.executeUpdate();
        }
    }
}
