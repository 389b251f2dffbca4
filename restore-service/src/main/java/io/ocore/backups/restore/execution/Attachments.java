package io.ocore.backups.restore.execution;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The attachment files a restored database references ({@code ir_attachment.store_fname}) and
 * which of them its restored filestore does not hold (docs/restores.md "Attachments the database
 * references"). A {@code store_fname} is a path relative to the filestore; a value that is not a
 * safe relative path (absolute, {@code .} or {@code ..} components, empty components, control
 * characters, a backslash) is never resolved against the filestore: it is counted as unsafe.
 */
final class Attachments {

    /** At most this many missing paths are kept on the restore (the count is the total). */
    static final int KEPT = 1000;
    /** At most this many are named in the step's message. */
    static final int NAMED = 20;

    private Attachments() {
    }

    /**
     * What the database references: {@code table} false when it has no {@code ir_attachment}
     * (nothing to check), the safe paths sorted, and how many values were refused as unsafe.
     */
    record Referenced(boolean table, SortedSet<String> paths, int unsafe) {
    }

    /** The result of a check: the missing paths (sorted, at most {@link #KEPT}) and their total. */
    record Check(Referenced referenced, List<String> missing, int missingCount) {

        /** The step's message: the count and the first {@link #NAMED} missing. */
        String message() {
            if (!referenced.table()) {
                return "the restored database has no ir_attachment table: no attachment to check";
            }
            String unsafe = referenced.unsafe() == 0 ? ""
                    : "; " + referenced.unsafe() + " store_fname values are not safe relative paths and were ignored";
            if (missingCount == 0) {
                return "all " + referenced.paths().size() + " attachment files the database references are in the"
                        + " restored filestore" + unsafe;
            }
            List<String> named = missing.subList(0, Math.min(NAMED, missing.size()));
            return missingCount + " of the " + referenced.paths().size() + " attachment files the database references"
                    + " are missing from the restored filestore (the restore completes; see missingAttachments): "
                    + String.join(", ", named) + (missingCount > named.size() ? ", …" : "") + unsafe;
        }
    }

    static Referenced referenced(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select to_regclass('ir_attachment') is not null")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return new Referenced(false, new TreeSet<>(), 0);
                }
            }
            SortedSet<String> paths = new TreeSet<>();
            int unsafe = 0;
            try (ResultSet rs = st.executeQuery(
                    "select distinct store_fname from ir_attachment where store_fname is not null")) {
                while (rs.next()) {
                    String p = rs.getString(1);
                    if (safe(p)) {
                        paths.add(p);
                    } else {
                        unsafe++;
                    }
                }
            }
            return new Referenced(true, paths, unsafe);
        }
    }

    /** Checks each referenced path is a regular file (not a link) under {@code filestore}. */
    static Check check(Referenced referenced, Path filestore) {
        List<String> missing = new ArrayList<>();
        int count = 0;
        for (String p : referenced.paths()) {
            if (!Files.isRegularFile(filestore.resolve(p), LinkOption.NOFOLLOW_LINKS)) {
                count++;
                if (missing.size() < KEPT) {
                    missing.add(p); // sorted: the paths are
                }
            }
        }
        return new Check(referenced, missing, count);
    }

    /** A relative path of non-empty components, none {@code .} or {@code ..}, no control character or backslash. */
    static boolean safe(String p) {
        if (p == null || p.isEmpty() || p.length() > 1024 || p.startsWith("/") || p.endsWith("/")) {
            return false;
        }
        for (int i = 0; i < p.length(); i++) {
            char ch = p.charAt(i);
            if (ch < 0x20 || ch == 0x7f || ch == '\\') {
                return false;
            }
        }
        for (String part : p.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
