package io.ocore.backups.platform.storage.sftp;

import io.ocore.backups.platform.storage.ConfigReader;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code sftp}: {@code host, port (22), username}, {@code password} or {@code privateKey}
 * (+ {@code passphrase}), {@code path} (the folder; default the login folder), optional
 * {@code hostKeyFingerprint} ({@code SHA256:<base64>}, as {@code ssh-keygen -l} prints it).
 */
public record SftpConfig(String host, int port, String username, String password, String privateKey,
        String passphrase, String path, String hostKeyFingerprint) {

    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}=?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.\\-]*[A-Za-z0-9])?|\\[?[0-9A-Fa-f:.]+]?");

    static SftpConfig parse(ConfigReader r) {
        String host = r.required("host");
        if (host != null && !HOST.matcher(host).matches()) {
            r.error("host", "must be a host name or IP address");
        }
        int port = r.integer("port", 22, 1, 65535);
        String username = r.required("username");
        String password = r.optionalRaw("password");
        String privateKey = r.optionalRaw("privateKey");
        String passphrase = r.optionalRaw("passphrase");
        if (password == null && privateKey == null) {
            r.error("password", "password or privateKey is required");
            r.error("privateKey", "password or privateKey is required");
        }
        if (privateKey != null) {
            SftpKeys.problem(privateKey, passphrase).ifPresent(p -> r.error(p.field(), p.message()));
        }
        String path = r.optional("path");
        if (path == null) {
            path = ".";
        } else if (path.contains("\0") || path.contains("\\")) {
            r.error("path", "must be a '/'-separated folder path");
        }
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.replaceAll("/+$", "");
        }
        String fingerprint = r.optional("hostKeyFingerprint");
        if (fingerprint != null && !FINGERPRINT.matcher(fingerprint).matches()) {
            r.error("hostKeyFingerprint", "must look like 'SHA256:' followed by 43 base64 characters, "
                    + "as printed by ssh-keygen -l -f <host key>");
        }
        return new SftpConfig(host, port, username, password, privateKey, passphrase, path, fingerprint);
    }

    public static SftpConfig parse(Map<String, Object> config) {
        ConfigReader r = new ConfigReader(config);
        SftpConfig c = parse(r);
        r.throwIfInvalid();
        return c;
    }

    @Override
    public String toString() {
        return "SftpConfig[" + username + "@" + host + ":" + port + path + "]";
    }
}
