package io.ocore.backups.platform.backupformat.blobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A capture object of the continuous filestore capture (docs/backup-format.md "Capture objects"):
 * the files of an environment's filestore first seen by one capture walk, self-describing on the
 * destination. Stored at {@link BlobLayout#captureKey} as {@code nonce || AES-256-GCM || tag} with
 * the blob-store content key (associated data {@code ocore:capture:<name>}) of UTF-8 JSON lines,
 * the format of a filestore index ({@link FilestoreIndex}) with another header and one more field
 * per entry:
 *
 * <pre>
 * {"formatVersion":1,"kind":"ocore-filestore-capture","chunkBytes":1048576,"capturedAt":"2026-12-03T09:00:00.123Z"}
 * {"path":"ab/ab12…","type":"file","mode":420,"size":5123,"mtime":…,"ctime":…,"blobs":["…"],"firstSeen":"2026-12-03T09:00:00.123Z"}
 * </pre>
 *
 * Only regular files are listed (their directories are made when they are written).
 */
public final class FilestoreCapture {

    public static final int FORMAT_VERSION = 1;
    public static final String KIND = "ocore-filestore-capture";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A file first seen at {@code firstSeen}. */
    public record Seen(FilestoreIndex.Entry entry, Instant firstSeen) {
    }

    /** A capture: its name, its time, its files. */
    public record Contents(String name, Instant capturedAt, int chunkBytes, List<Seen> files) {
    }

    private FilestoreCapture() {
    }

    /** The plaintext JSON lines of a capture. */
    public static byte[] plaintext(Instant capturedAt, int chunkBytes, List<Seen> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ObjectNode header = JSON.createObjectNode();
        header.put("formatVersion", FORMAT_VERSION);
        header.put("kind", KIND);
        header.put("chunkBytes", chunkBytes);
        header.put("capturedAt", capturedAt.toString());
        out.write(JSON.writeValueAsBytes(header));
        out.write('\n');
        for (Seen s : files) {
            if (s.entry().type() != FilestoreIndex.Type.file) {
                throw new IllegalArgumentException("A capture lists files only: " + s.entry().path());
            }
            // the entry as a filestore index writes it, plus firstSeen
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            FilestoreIndex.Writer w = new FilestoreIndex.Writer(line, chunkBytes);
            w.add(s.entry());
            w.finish();
            String[] lines = line.toString(StandardCharsets.UTF_8).split("\n");
            ObjectNode entry = (ObjectNode) JSON.readTree(lines[1]);
            entry.put("firstSeen", s.firstSeen().toString());
            out.write(JSON.writeValueAsBytes(entry));
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The stored object of a capture named {@code name}. */
    public static byte[] encrypt(BlobKeys keys, String name, Instant capturedAt, int chunkBytes, List<Seen> files)
            throws IOException {
        return keys.encryptCapture(BlobLayout.checkCaptureName(name), plaintext(capturedAt, chunkBytes, files));
    }

    /** Decrypts and reads a stored capture object named {@code name}; refuses a newer format. */
    public static Contents decrypt(BlobKeys keys, String name, byte[] stored) throws IOException {
        byte[] plain;
        try {
            plain = keys.decryptCapture(BlobLayout.checkCaptureName(name), stored);
        } catch (GeneralSecurityException e) {
            throw new BlobCorruptException("capture " + name + " could not be decrypted");
        }
        return read(name, new ByteArrayInputStream(plain));
    }

    /** Reads the plaintext of a capture. */
    public static Contents read(String name, InputStream plain) throws IOException {
        try (MappingIterator<JsonNode> lines = JSON.readerFor(JsonNode.class).readValues(plain)) {
            if (!lines.hasNext()) {
                throw new IOException("Not a filestore capture: it is empty");
            }
            JsonNode header = lines.next();
            if (!KIND.equals(header.path("kind").asText())) {
                throw new IOException("Not a filestore capture: its header has no kind " + KIND);
            }
            int version = header.path("formatVersion").asInt(-1);
            if (version > FORMAT_VERSION) {
                throw new IOException("Filestore capture format " + version + " is newer than this reader ("
                        + FORMAT_VERSION + "); upgrade oCore");
            }
            int chunkBytes = header.path("chunkBytes").asInt(0);
            if (version < 1 || chunkBytes < 1 || !header.hasNonNull("capturedAt")) {
                throw new IOException("Not a filestore capture: no formatVersion, chunkBytes or capturedAt");
            }
            Instant capturedAt = Instant.parse(header.get("capturedAt").asText());
            // each entry is a filestore index line: read by the index's own reader
            StringBuilder index = new StringBuilder();
            index.append("{\"formatVersion\":1,\"kind\":\"").append(FilestoreIndex.KIND).append("\",\"chunkBytes\":")
                    .append(chunkBytes).append("}\n");
            List<Instant> seen = new ArrayList<>();
            while (lines.hasNext()) {
                JsonNode n = lines.next();
                if (!n.hasNonNull("firstSeen")) {
                    throw new IOException("Filestore capture line " + (seen.size() + 2) + ": no firstSeen");
                }
                seen.add(Instant.parse(n.get("firstSeen").asText()));
                index.append(JSON.writeValueAsString(n)).append('\n');
            }
            List<FilestoreIndex.Entry> entries = FilestoreIndex.read(new ByteArrayInputStream(
                    index.toString().getBytes(StandardCharsets.UTF_8))).entries();
            List<Seen> files = new ArrayList<>(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).type() != FilestoreIndex.Type.file) {
                    throw new IOException("Filestore capture line " + (i + 2) + ": not a file");
                }
                files.add(new Seen(entries.get(i), seen.get(i)));
            }
            return new Contents(name, capturedAt, chunkBytes, List.copyOf(files));
        } catch (JsonProcessingException | java.time.format.DateTimeParseException e) {
            throw new IOException("Not a filestore capture: " + e.getMessage(), e);
        }
    }

    /**
     * The files of {@code now} that are new or changed against {@code before} (path, size, mtime,
     * ctime or blobs differ): what a capture walk first saw.
     */
    public static List<FilestoreIndex.Entry> changed(Map<String, FilestoreIndex.Entry> before,
            List<FilestoreIndex.Entry> now) {
        List<FilestoreIndex.Entry> out = new ArrayList<>();
        for (FilestoreIndex.Entry e : now) {
            if (e.type() != FilestoreIndex.Type.file) {
                continue;
            }
            FilestoreIndex.Entry b = before.get(e.path());
            if (b == null || b.type() != e.type() || b.size() != e.size() || b.mtime() != e.mtime()
                    || b.ctime() != e.ctime() || !b.blobs().equals(e.blobs())) {
                out.add(e);
            }
        }
        return out;
    }
}
