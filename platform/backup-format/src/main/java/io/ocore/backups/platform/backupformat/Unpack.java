package io.ocore.backups.platform.backupformat;

import io.ocore.backups.platform.security.EnvelopeCipher;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Restores a component by hand, with no service running: verifies, decrypts and decompresses one
 * downloaded component file using its manifest and the master key.
 *
 * <pre>
 * java -cp platform-backup-format.jar:... io.ocore.backups.platform.backupformat.Unpack \
 *     --manifest manifest.json --master-key-file master.key --component database \
 *     --in database.dump.zst.enc --out database.dump
 * </pre>
 *
 * {@code --master-key-file} holds the base64 master key (as {@code OCORE_MASTER_KEY}); its id
 * is taken from the manifest unless {@code --master-key-id} says otherwise. Exit 0 on success,
 * 1 on a checksum mismatch or decryption failure (the output is then deleted), 2 on bad usage.
 */
public final class Unpack {

    private Unpack() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                return usage("Unexpected argument " + args[i]);
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        for (String required : new String[] {"manifest", "master-key-file", "component", "in", "out"}) {
            if (!opts.containsKey(required)) {
                return usage("Missing --" + required);
            }
        }
        Path out = Path.of(opts.get("out"));
        try {
            BackupManifest manifest = BackupManifest.fromJson(Files.readAllBytes(Path.of(opts.get("manifest"))));
            ComponentName name = ComponentName.of(opts.get("component"));
            BackupManifest.Component c = manifest.component(name).orElseThrow(
                    () -> new IllegalArgumentException("The manifest lists no " + name + " component"));
            String keyId = opts.getOrDefault("master-key-id", c.encryption().masterKeyId());
            String key = Files.readString(Path.of(opts.get("master-key-file"))).trim();
            EnvelopeCipher cipher = new EnvelopeCipher(keyId, Map.of(keyId, key));
            try (InputStream in = ComponentReader.open(Files.newInputStream(Path.of(opts.get("in"))), cipher,
                    manifest, name); OutputStream o = Files.newOutputStream(out)) {
                long n = in.transferTo(o);
                System.err.printf("%s: %d bytes written to %s (checksum verified)%n", name, n, out);
            }
            return 0;
        } catch (Exception e) {
            try {
                Files.deleteIfExists(out);
            } catch (java.io.IOException ignored) {
                // best effort
            }
            System.err.println("unpack failed: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: Unpack --manifest FILE --master-key-file FILE --component database|filestore|config"
                + " --in FILE --out FILE [--master-key-id ID]");
        return 2;
    }
}
