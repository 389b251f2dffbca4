package io.ocore.backups.platform.storage;

/** Checks and joins object keys: relative, '/'-separated, no empty, "." or ".." segments. */
public final class Keys {

    private Keys() {
    }

    /** Returns the key if well formed, else throws a {@code PERMANENT} {@link StorageException}. */
    public static String check(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\")
                || key.indexOf('\0') >= 0) {
            throw invalid(key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw invalid(key);
            }
        }
        return key;
    }

    /** A list prefix: "" or a string that would be a valid key start (may end with '/'). */
    public static String checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (body.isEmpty()) {
            throw invalid(prefix);
        }
        check(body);
        return prefix;
    }

    /** The folder part of a prefix: "a/b/c" and "a/b/" both give "a/b"; "abc" gives "". */
    public static String folderOf(String prefix) {
        int i = prefix.lastIndexOf('/');
        return i < 0 ? "" : prefix.substring(0, i);
    }

    /** Joins a base path (may be empty, may have slashes at either end) and a key with one '/'. */
    public static String join(String base, String key) {
        String b = trimSlashes(base == null ? "" : base);
        if (b.isEmpty()) {
            return key;
        }
        return key.isEmpty() ? b : b + "/" + key;
    }

    public static String trimSlashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '/') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(start, end);
    }

    private static StorageException invalid(String key) {
        return new StorageException(StorageException.Kind.PERMANENT,
                "'" + key + "' is not a valid object key: use a relative path like 'a/b/c' without '.' or '..'.");
    }
}
