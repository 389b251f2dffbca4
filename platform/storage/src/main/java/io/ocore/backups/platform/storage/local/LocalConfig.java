package io.ocore.backups.platform.storage.local;

import io.ocore.backups.platform.storage.ConfigReader;
import io.ocore.backups.platform.storage.StorageOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/** {@code local}: {@code path}, absolute, inside one of the roots the operator allows. */
public record LocalConfig(Path path) {

    static LocalConfig parse(ConfigReader r, StorageOptions options) {
        String raw = r.required("path");
        if (raw == null) {
            return null;
        }
        Path p;
        try {
            p = Path.of(raw);
        } catch (InvalidPathException e) {
            r.error("path", "is not a valid path");
            return null;
        }
        if (!p.isAbsolute()) {
            r.error("path", "must be an absolute path");
            return null;
        }
        Path normal = p.normalize();
        if (options.allowedLocalRoots().isEmpty()) {
            r.error("path", "local destinations are not enabled by the operator (no allowed roots)");
            return null;
        }
        Path real = realPathOfNearestExisting(normal);
        boolean inside = options.allowedLocalRoots().stream()
                .map(root -> realPathOfNearestExisting(root.toAbsolutePath().normalize()))
                .anyMatch(real::startsWith);
        if (!inside) {
            r.error("path", "must be inside one of the allowed folders: " + options.allowedLocalRoots());
            return null;
        }
        return new LocalConfig(normal);
    }

    public static LocalConfig parse(Map<String, Object> config, StorageOptions options) {
        ConfigReader r = new ConfigReader(config);
        LocalConfig c = parse(r, options);
        r.throwIfInvalid();
        return c;
    }

    /** Resolves symbolic links of the part that exists, so a link cannot escape the allowed roots. */
    static Path realPathOfNearestExisting(Path p) {
        Path existing = p;
        Path rest = p.getRoot().relativize(p.getRoot());
        while (existing != null && !Files.exists(existing)) {
            rest = existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return p;
        }
        try {
            return existing.toRealPath().resolve(rest).normalize();
        } catch (IOException e) {
            return p;
        }
    }
}
