package io.ocore.backups.platform.backupformat.blobs;

import java.util.List;

/**
 * A pack's index (ADR 0015): the blobs it holds, in pack order. Stored encrypted as
 * {@code blobs/index/<packId>.json.enc}; JSON {@code {"formatVersion":1,"packId":…,"blobs":[{"id",
 * "offset","length","rawLength"}…]}}.
 */
public record PackIndex(String packId, List<BlobLocation> blobs) {

    public static final int FORMAT_VERSION = 1;

    /** The plaintext JSON. */
    public byte[] toJson() {
        throw new UnsupportedOperationException("ADR 0015: being built");
    }

    public static PackIndex fromJson(byte[] json) {
        throw new UnsupportedOperationException("ADR 0015: being built");
    }
}
