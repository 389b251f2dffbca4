package io.ocore.backups.platform.odoofixture;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams rows into one table with {@code COPY ... FROM STDIN} in PostgreSQL's text format,
 * in chunks of about one megabyte, so memory stays bounded whatever the row count.
 */
final class CopyWriter implements AutoCloseable {

    private static final int FLUSH_BYTES = 1 << 20;

    private final CopyIn copyIn;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(FLUSH_BYTES + 64 * 1024);
    private final StringBuilder row = new StringBuilder(512);
    private boolean firstField = true;
    private long rows;
    private boolean done;

    CopyWriter(Connection connection, String table, String... columns) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        String sql = "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN";
        this.copyIn = pg.getCopyAPI().copyIn(sql);
    }

    CopyWriter add(Object value) {
        if (!firstField) {
            row.append('\t');
        }
        firstField = false;
        if (value == null) {
            row.append("\\N");
        } else {
            escapeInto(row, value.toString());
        }
        return this;
    }

    CopyWriter add(Object... values) {
        for (Object value : values) {
            add(value);
        }
        return this;
    }

    /** Ends the current row. */
    void endRow() throws SQLException {
        row.append('\n');
        byte[] bytes = row.toString().getBytes(StandardCharsets.UTF_8);
        buffer.write(bytes, 0, bytes.length);
        row.setLength(0);
        firstField = true;
        rows++;
        if (buffer.size() >= FLUSH_BYTES) {
            flush();
        }
    }

    long rows() {
        return rows;
    }

    private void flush() throws SQLException {
        if (buffer.size() > 0) {
            byte[] bytes = buffer.toByteArray();
            copyIn.writeToCopy(bytes, 0, bytes.length);
            buffer.reset();
        }
    }

    /** Sends what is buffered and completes the COPY; returns the row count the server reports. */
    long finish() throws SQLException {
        flush();
        done = true;
        return copyIn.endCopy();
    }

    @Override
    public void close() throws SQLException {
        if (!done && copyIn.isActive()) {
            copyIn.cancelCopy();
        }
    }

    /** PostgreSQL COPY text-format escaping of one field value. */
    static void escapeInto(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        escapeInto(out, value);
        return out.toString();
    }
}
