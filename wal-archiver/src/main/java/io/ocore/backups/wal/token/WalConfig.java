package io.ocore.backups.wal.token;

import io.ocore.backups.wal.config.WalSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code GET /api/environments/{envId}/wal-config}: what goes into postgresql.conf, and where the
 * token goes. {@code settings} values are exactly as written into postgresql.conf (strings quoted).
 */
public record WalConfig(UUID environmentId, String archiveCommand, String restoreCommand, Map<String, String> settings,
        String walToken, String tokenFile, String replication) {

    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

    public static WalConfig of(UUID environmentId, String token, WalSettings s) {
        String base = s.publicUrl().replaceAll("/+$", "") + "/api/wal/" + environmentId;
        String tokenFile = s.client().tokenDir().replaceAll("/+$", "") + "/" + environmentId + ".wal-token";
        String client = s.client().command();
        String archive = client + " push --url " + shell(base) + " --token-file " + shell(tokenFile) + " %p %f";
        String restore = client + " fetch --url " + shell(base) + " --token-file " + shell(tokenFile) + " %f %p";
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("archive_mode", "on");
        settings.put("archive_timeout", conf(s.archiveTimeout()));
        settings.put("wal_level", "replica");
        settings.put("max_wal_senders", "4");
        settings.put("archive_command", conf(archive));
        settings.put("restore_command", conf(restore));
        return new WalConfig(environmentId, archive, restore, settings, token, tokenFile,
                "Base backups use the streaming replication protocol (pg_basebackup): the role oCore connects as needs"
                        + " the REPLICATION attribute (ALTER ROLE <role> REPLICATION), and pg_hba.conf a line"
                        + " 'host replication <role> <address> scram-sha-256' for oCore's address.");
    }

    /** One shell word: left as it is when it holds no special character, else single-quoted. */
    static String shell(String word) {
        return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * A postgresql.conf value: plain when it is a simple word or number, else single-quoted with
     * quotes doubled and backslashes doubled (postgresql.conf reads backslash escapes in strings).
     */
    static String conf(String value) {
        return value.matches("[A-Za-z0-9]+") ? value
                : "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
