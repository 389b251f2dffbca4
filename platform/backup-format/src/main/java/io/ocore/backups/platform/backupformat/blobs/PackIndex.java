package io.ocore.backups.platform.backupformat.blobs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A pack's index (ADR 0015): the blobs it holds, in pack order. Stored encrypted as
 * {@code blobs/index/<packId>.json.enc}; JSON {@code {"formatVersion":1,"packId":…,"blobs":[{"id",
 * "offset","length","rawLength"}…]}}.
 */
public record PackIndex(String packId, List<BlobLocation> blobs) {

    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    public PackIndex {
        blobs = List.copyOf(blobs);
    }

    /** The plaintext JSON. */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + blobs.size() * 120);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("formatVersion", FORMAT_VERSION);
            json.writeStringField("packId", packId);
            json.writeArrayFieldStart("blobs");
            for (BlobLocation b : blobs) {
                json.writeStartObject();
                json.writeStringField("id", b.blobId());
                json.writeNumberField("offset", b.offset());
                json.writeNumberField("length", b.length());
                json.writeNumberField("rawLength", b.rawLength());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Parses and checks a pack index; {@link IllegalArgumentException} when it is not one (or newer). */
    public static PackIndex fromJson(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("Not a pack index: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("Not a pack index: not a JSON object");
        }
        int version = root.path("formatVersion").asInt(-1);
        if (version > FORMAT_VERSION) {
            throw new IllegalArgumentException("Pack index format " + version + " is newer than this reader ("
                    + FORMAT_VERSION + "); upgrade oCore");
        }
        if (version < 1) {
            throw new IllegalArgumentException("Not a pack index: no formatVersion");
        }
        String packId = BlobLayout.checkPackId(root.path("packId").asText(null));
        List<BlobLocation> blobs = new ArrayList<>();
        for (JsonNode b : root.path("blobs")) {
            String id = b.path("id").asText(null);
            if (!BlobLayout.isBlobId(id)) {
                throw new IllegalArgumentException("Pack index " + packId + ": not a blob id: " + id);
            }
            long offset = b.path("offset").asLong(-1);
            long length = b.path("length").asLong(-1);
            long raw = b.path("rawLength").asLong(-1);
            if (offset < 0 || length < BlobKeys.OVERHEAD + 1 || length > Integer.MAX_VALUE || raw < 0
                    || raw > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Pack index " + packId + ": bad offset or length for blob " + id);
            }
            blobs.add(new BlobLocation(id, packId, offset, (int) length, (int) raw));
        }
        return new PackIndex(packId, blobs);
    }
}
