package io.ocore.backups.restore.execution;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites an {@code odoo.conf} for a new database (restore target {@code new}): {@code db_name}
 * and {@code dbfilter} name the new database; {@code data_dir} is set so that Odoo finds the
 * filestore at {@code <data_dir>/filestore/<db_name>} when the filestore follows that layout.
 * Every other line (comments included) is kept as it was.
 */
final class OdooConf {

    private OdooConf() {
    }

    static byte[] rewrite(byte[] original, String database, Path filestore) {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("db_name", database);
        set.put("dbfilter", "^" + database + "$");
        Path parent = filestore.toAbsolutePath().normalize().getParent();
        if (parent != null && parent.getFileName() != null && "filestore".equals(parent.getFileName().toString())
                && parent.getParent() != null) {
            set.put("data_dir", parent.getParent().toString());
        }
        List<String> out = new ArrayList<>();
        boolean inOptions = false;
        boolean sawOptions = false;
        for (String line : new String(original, StandardCharsets.UTF_8).split("\r?\n", -1)) {
            String t = line.strip();
            if (t.startsWith("[")) {
                if (inOptions) {
                    flush(set, out);
                }
                inOptions = t.equalsIgnoreCase("[options]");
                sawOptions |= inOptions;
                out.add(line);
                continue;
            }
            int eq = t.indexOf('=');
            if (inOptions && eq > 0 && !t.startsWith("#") && !t.startsWith(";")) {
                String key = t.substring(0, eq).strip();
                if (set.containsKey(key)) {
                    out.add(key + " = " + set.remove(key));
                    continue;
                }
            }
            out.add(line);
        }
        if (inOptions) {
            while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
                out.remove(out.size() - 1);
            }
            flush(set, out);
            out.add("");
        } else if (!sawOptions || !set.isEmpty()) {
            if (!sawOptions) {
                out.add("[options]");
            }
            flush(set, out);
            out.add("");
        }
        return String.join("\n", out).getBytes(StandardCharsets.UTF_8);
    }

    private static void flush(Map<String, String> set, List<String> out) {
        set.forEach((k, v) -> out.add(k + " = " + v));
        set.clear();
    }
}
