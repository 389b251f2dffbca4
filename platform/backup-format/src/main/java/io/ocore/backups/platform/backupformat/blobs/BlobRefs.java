package io.ocore.backups.platform.backupformat.blobs;

import java.util.Collection;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;

/**
 * A backup's referenced blob ids as stored in {@code backup_blob_ref.blob_ids}: the distinct ids,
 * sorted, each as its 32 binary bytes, back to back.
 */
public final class BlobRefs {

    private BlobRefs() {
    }

    public static byte[] encode(Collection<String> blobIds) {
        TreeSet<String> sorted = new TreeSet<>(blobIds);
        byte[] out = new byte[sorted.size() * 32];
        int i = 0;
        HexFormat hex = HexFormat.of();
        for (String id : sorted) {
            if (!BlobLayout.isBlobId(id)) {
                throw new IllegalArgumentException("Not a blob id: " + id);
            }
            System.arraycopy(hex.parseHex(id), 0, out, i, 32);
            i += 32;
        }
        return out;
    }

    public static Set<String> decode(byte[] encoded) {
        if (encoded.length % 32 != 0) {
            throw new IllegalArgumentException("Not a list of blob ids: " + encoded.length + " bytes");
        }
        Set<String> out = new TreeSet<>();
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < encoded.length; i += 32) {
            out.add(hex.formatHex(encoded, i, i + 32));
        }
        return out;
    }
}
