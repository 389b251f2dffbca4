package io.ocore.backups.platform.odoofixture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Odoo's content-addressed filestore: a file's name is the SHA-1 of its bytes, kept at
 * {@code <filestore>/<first 2 hex>/<40 hex>}; ir_attachment.store_fname is the relative path
 * {@code <2 hex>/<40 hex>} and ir_attachment.checksum the 40 hex. Identical content is stored once.
 */
final class Filestore {

    /** One stored blob. {@code created} is false when the same content was already there. */
    record StoredFile(String storeFname, String checksum, int size, boolean created) {
    }

    private final Path root;
    private long files;
    private long bytes;

    Filestore(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root);
    }

    StoredFile store(byte[] content) {
        String sha1 = sha1Hex(content);
        String storeFname = sha1.substring(0, 2) + "/" + sha1;
        Path target = root.resolve(storeFname);
        boolean created = false;
        try {
            if (!Files.exists(target)) {
                Files.createDirectories(target.getParent());
                Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "");
                Files.write(tmp, content);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException e) {
                    Files.deleteIfExists(tmp);
                }
                created = true;
                files++;
                bytes += content.length;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
        return new StoredFile(storeFname, sha1, content.length, created);
    }

    long files() {
        return files;
    }

    long bytes() {
        return bytes;
    }

    static String sha1Hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
