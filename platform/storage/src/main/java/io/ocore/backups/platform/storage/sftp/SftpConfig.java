package io.ocore.backups.platform.storage.sftp;

import io.ocore.backups.platform.storage.ConfigReader;
import io.ocore.backups.platform.storage.EndpointGuard;
import io.ocore.backups.platform.storage.Locations;
import io.ocore.backups.platform.storage.StorageOptions;
import java.util.LinkedHashMap;
import java.util.Locale;
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

    /**
     * {@code resolve}: judge the host's addresses with the {@link EndpointGuard} now (validation);
     * else only what needs no DNS (open; the connection resolves once and judges then).
     */
    static SftpConfig parse(ConfigReader r, StorageOptions options, boolean resolve) {
        String host = r.required("host");
        if (host != null && !HOST.matcher(host).matches()) {
            r.error("host", "must be a host name or IP address");
        } else if (host != null) {
            (resolve ? EndpointGuard.checkHost(host, options.allowPrivateEndpoints(), options.resolver())
                    : EndpointGuard.checkHostWithoutResolving(host, options.allowPrivateEndpoints()))
                    .ifPresent(reason -> r.error("host", reason));
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

    public static SftpConfig parse(Map<String, Object> config, StorageOptions options) {
        ConfigReader r = new ConfigReader(config);
        SftpConfig c = parse(r, options, false);
        r.throwIfInvalid();
        return c;
    }

    /**
     * Where and as whom the password or key is presented: host, port, path, username and the pinned
     * host key (another key means another server may answer). Normalised as parse would.
     */
    static Map<String, String> location(Map<String, Object> config) {
        Map<String, String> m = new LinkedHashMap<>();
        String host = Locations.text(config, "host");
        if (host != null) {
            host = host.toLowerCase(Locale.ROOT).replaceAll("^\\[|]$", "").replaceAll("\\.$", "");
        }
        m.put("host", host);
        String port = Locations.text(config, "port");
        m.put("port", port == null ? "22" : port.replaceAll("\\.0+$", ""));
        String path = Locations.text(config, "path");
        path = path == null ? "." : path;
        m.put("path", path.length() > 1 ? path.replaceAll("/+$", "") : path);
        m.put("username", Locations.text(config, "username"));
        String fp = Locations.text(config, "hostKeyFingerprint");
        m.put("hostKeyFingerprint", fp == null ? null : fp.replaceAll("=$", ""));
        return m;
    }

    @Override
    public String toString() {
        return "SftpConfig[" + username + "@" + host + ":" + port + path + "]";
    }
}
