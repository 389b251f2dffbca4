package io.ocore.backups.platform.backupformat.blobs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plaintext of a blob-store filestore component (ADR 0015): UTF-8 JSON lines, a header
 * {@code {"formatVersion":1,"kind":"ocore-filestore-index","chunkBytes":N}} then one entry per
 * directory and regular file, sorted by path, a directory before what it holds.
 */
public final class FilestoreIndex {

    public static final int FORMAT_VERSION = 1;
    public static final String KIND = "ocore-filestore-index";

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    private static final JsonFactory FACTORY = JSON.getFactory();

    public enum Type {
        file, dir
    }

    /**
     * One entry.
     *
     * @param path  relative, '/'-separated
     * @param mode  POSIX permission bits
     * @param size  bytes (0 for a directory)
     * @param mtime nanoseconds since the epoch
     * @param ctime nanoseconds since the epoch (0 when unknown); with size and mtime, the change cache
     * @param blobs the file's chunks in order (empty for a directory or an empty file)
     */
    public record Entry(String path, Type type, int mode, long size, long mtime, long ctime, List<String> blobs) {
        public Entry {
            blobs = blobs == null ? List.of() : List.copyOf(blobs);
        }
    }

    /** The entries of an index, read whole (a 50,000-file filestore is a few MiB). */
    public record Contents(int chunkBytes, List<Entry> entries) {
        /** Path -> entry, for the change cache of the next backup. */
        public Map<String, Entry> byPath() {
            Map<String, Entry> out = new LinkedHashMap<>(entries.size() * 2);
            for (Entry e : entries) {
                out.put(e.path(), e);
            }
            return Collections.unmodifiableMap(out);
        }
    }

    private FilestoreIndex() {
    }

    /** Writes the header, then each added entry, as JSON lines to {@code out} (not closed). */
    public static final class Writer {
        private final OutputStream out;
        private final JsonGenerator json;

        public Writer(OutputStream out, int chunkBytes) throws IOException {
            if (chunkBytes < 1) {
                throw new IllegalArgumentException("chunkBytes must be positive");
            }
            this.out = out;
            this.json = FACTORY.createGenerator(out);
            json.setRootValueSeparator(null); // each line ends with '\n' itself
            json.writeStartObject();
            json.writeNumberField("formatVersion", FORMAT_VERSION);
            json.writeStringField("kind", KIND);
            json.writeNumberField("chunkBytes", chunkBytes);
            json.writeEndObject();
            json.writeRaw('\n');
        }

        public void add(Entry e) throws IOException {
            json.writeStartObject();
            json.writeStringField("path", e.path());
            json.writeStringField("type", e.type().name());
            json.writeNumberField("mode", e.mode());
            if (e.type() == Type.file) {
                json.writeNumberField("size", e.size());
            }
            json.writeNumberField("mtime", e.mtime());
            if (e.type() == Type.file) {
                json.writeNumberField("ctime", e.ctime());
                json.writeArrayFieldStart("blobs");
                for (String id : e.blobs()) {
                    json.writeString(id);
                }
                json.writeEndArray();
            }
            json.writeEndObject();
            json.writeRaw('\n');
        }

        /** Flushes; does not close the stream. */
        public void finish() throws IOException {
            json.flush();
            out.flush();
        }
    }

    /** Reads a whole index (the decrypted, decompressed component); refuses a newer format. */
    public static Contents read(InputStream plain) throws IOException {
        try (MappingIterator<JsonNode> lines = JSON.readerFor(JsonNode.class).readValues(plain)) {
            if (!lines.hasNext()) {
                throw new IOException("Not a filestore index: it is empty");
            }
            JsonNode header = lines.next();
            if (!KIND.equals(header.path("kind").asText())) {
                throw new IOException("Not a filestore index: its header has no kind " + KIND);
            }
            int version = header.path("formatVersion").asInt(-1);
            if (version > FORMAT_VERSION) {
                throw new IOException("Filestore index format " + version + " is newer than this reader ("
                        + FORMAT_VERSION + "); upgrade oCore");
            }
            if (version < 1) {
                throw new IOException("Not a filestore index: no formatVersion");
            }
            int chunkBytes = header.path("chunkBytes").asInt(0);
            if (chunkBytes < 1) {
                throw new IOException("Not a filestore index: no chunkBytes");
            }
            List<Entry> entries = new ArrayList<>();
            while (lines.hasNext()) {
                entries.add(entry(lines.next(), entries.size() + 2));
            }
            return new Contents(chunkBytes, List.copyOf(entries));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IOException("Not a filestore index: " + e.getMessage(), e);
        }
    }

    private static Entry entry(JsonNode n, int line) throws IOException {
        String path = n.path("path").asText(null);
        if (path == null || path.isEmpty()) {
            throw new IOException("Filestore index line " + line + ": no path");
        }
        Type type;
        try {
            type = Type.valueOf(n.path("type").asText(""));
        } catch (IllegalArgumentException e) {
            throw new IOException("Filestore index line " + line + ": unknown type " + n.path("type"));
        }
        List<String> blobs = new ArrayList<>();
        for (JsonNode b : n.path("blobs")) {
            String id = b.asText();
            if (!BlobLayout.isBlobId(id)) {
                throw new IOException("Filestore index line " + line + ": not a blob id: " + id);
            }
            blobs.add(id);
        }
        long size = n.path("size").asLong(0);
        if (size < 0) {
            throw new IOException("Filestore index line " + line + ": negative size");
        }
        return new Entry(path, type, n.path("mode").asInt(type == Type.dir ? 0755 : 0644), size,
                n.path("mtime").asLong(0), n.path("ctime").asLong(0), blobs);
    }
}
