package io.ocore.backups.platform.odoofixture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes an {@code odoo.conf} the way an Odoo server reads it ({@code [options]} section). */
final class OdooConfig {

    /** Never a real secret: restore and neutralization code must not depend on its value. */
    static final String ADMIN_PASSWD_PLACEHOLDER = "CHANGE_ME_admin_passwd";

    private OdooConfig() {
    }

    /**
     * Odoo keeps a database's filestore in {@code <data_dir>/filestore/<db_name>}; when the
     * given directory follows that layout, data_dir is its grandparent, else its parent.
     */
    static Path dataDirFor(Path filestoreDir) {
        Path abs = filestoreDir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent != null && parent.getFileName() != null
                && parent.getFileName().toString().equals("filestore") && parent.getParent() != null) {
            return parent.getParent();
        }
        return parent == null ? abs : parent;
    }

    static Map<String, String> options(DatabaseTarget db, Path filestoreDir) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("admin_passwd", ADMIN_PASSWD_PLACEHOLDER);
        options.put("db_host", db.host());
        options.put("db_port", Integer.toString(db.port()));
        options.put("db_user", db.user());
        options.put("db_password", db.password() == null || db.password().isEmpty() ? "False" : db.password());
        options.put("db_name", db.name());
        options.put("dbfilter", "^" + db.name() + "$");
        options.put("list_db", "False");
        options.put("data_dir", dataDirFor(filestoreDir).toString());
        options.put("http_port", "8069");
        options.put("proxy_mode", "True");
        options.put("workers", "2");
        options.put("max_cron_threads", "1");
        options.put("without_demo", "all");
        options.put("log_level", "info");
        return options;
    }

    static void write(Path configPath, DatabaseTarget db, Path filestoreDir) throws IOException {
        StringBuilder out = new StringBuilder("[options]\n");
        options(db, filestoreDir).forEach((k, v) -> out.append(k).append(" = ").append(v).append('\n'));
        Path parent = configPath.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(configPath, out.toString(), StandardCharsets.UTF_8);
    }

    /** Reads the {@code key = value} lines of an odoo.conf (comments and sections ignored). */
    static Map<String, String> read(Path configPath) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(configPath, StandardCharsets.UTF_8)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";") || trimmed.startsWith("[")) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq > 0) {
                values.put(trimmed.substring(0, eq).strip(), trimmed.substring(eq + 1).strip());
            }
        }
        return values;
    }
}
