package io.ocore.backups.cli.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ocore.backups.cli.CliException;
import io.ocore.backups.cli.Secrets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Each destination type's config fields (API.md), and how its secrets are gathered. */
final class DestinationTypes {

    static final Map<String, List<String>> FIELDS = new LinkedHashMap<>();

    static {
        List<String> s3 = List.of("bucket", "region", "accessKeyId", "secretAccessKey", "endpoint", "pathPrefix");
        FIELDS.put("s3", s3);
        FIELDS.put("s3_compatible", s3);
        FIELDS.put("sftp", List.of("host", "port", "username", "password", "privateKey", "passphrase", "path",
                "hostKeyFingerprint"));
        FIELDS.put("local", List.of("path"));
        FIELDS.put("onedrive", List.of("clientId", "clientSecret", "refreshToken", "tenant", "driveId", "folderPath"));
        FIELDS.put("gdrive", List.of("clientId", "clientSecret", "refreshToken", "folderId"));
    }

    static final List<String> TYPES = List.copyOf(FIELDS.keySet());

    /** Never shown, never taken from the command line. */
    static final Set<String> SECRET_FIELDS = Set.of("secretAccessKey", "password", "privateKey", "passphrase",
            "clientSecret", "refreshToken");

    /** What a --secrets-file may hold. */
    static final Set<String> SECRETS_FILE_KEYS = Set.of("accessKeyId", "secretAccessKey", "password", "privateKey",
            "passphrase", "clientSecret", "refreshToken");

    private DestinationTypes() {
    }

    /** Refuses flags the type has no use for (exit 2). */
    static void checkApplicable(String type, Map<String, Object> given) {
        List<String> fields = FIELDS.get(type);
        List<String> stray = given.keySet().stream().filter(key -> !fields.contains(key)).map(DestinationTypes::flag)
                .toList();
        if (!stray.isEmpty()) {
            String accepted = fields.stream().filter(f -> !SECRET_FIELDS.contains(f)).map(DestinationTypes::flag)
                    .collect(Collectors.joining(", "));
            throw CliException.usage(String.join(", ", stray) + (stray.size() == 1 ? " does" : " do")
                    + " not apply to type " + type + " (it takes " + accepted + ")");
        }
    }

    /**
     * The type's secrets: all required ones ({@code rotateAll}, for create and
     * {@code update --rotate-secrets}), or only those in the secrets file.
     */
    static Map<String, String> secrets(String type, Secrets secrets, Map<String, Object> given, boolean rotateAll) {
        Map<String, String> values = new LinkedHashMap<>();
        if (!rotateAll) {
            for (String field : FIELDS.get(type)) {
                if (SECRETS_FILE_KEYS.contains(field) && !given.containsKey(field)) {
                    putIfSet(values, field, secrets.fromFile(field));
                }
            }
            return values;
        }
        switch (type) {
            case "s3", "s3_compatible" -> {
                if (!given.containsKey("accessKeyId")) {
                    putIfSet(values, "accessKeyId", secrets.findOrPrompt("accessKeyId", "Access key ID", false,
                            "OCORE_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"));
                }
                values.put("secretAccessKey", secrets.require("secretAccessKey", "Secret access key",
                        "OCORE_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"));
            }
            case "sftp" -> {
                String password = secrets.find("password", "OCORE_SFTP_PASSWORD");
                String privateKey = secrets.fromFile("privateKey");
                if (privateKey == null) {
                    privateKey = secrets.fileFromEnv("OCORE_SFTP_PRIVATE_KEY_FILE");
                }
                if (password == null && privateKey == null) {
                    password = secrets.findOrPrompt("password", "SFTP password", true);
                    if (password == null) {
                        throw CliException.usage("an SFTP password or private key is required: set OCORE_SFTP_PASSWORD"
                                + " or OCORE_SFTP_PRIVATE_KEY_FILE, put \"password\" or \"privateKey\" in a"
                                + " --secrets-file, or run in a terminal to be prompted");
                    }
                }
                putIfSet(values, "password", password);
                putIfSet(values, "privateKey", privateKey);
                if (privateKey != null) {
                    putIfSet(values, "passphrase", secrets.find("passphrase", "OCORE_SFTP_PASSPHRASE"));
                }
            }
            case "onedrive", "gdrive" -> {
                values.put("clientSecret", secrets.require("clientSecret", "OAuth client secret", "OCORE_CLIENT_SECRET"));
                values.put("refreshToken", secrets.require("refreshToken", "OAuth refresh token", "OCORE_REFRESH_TOKEN"));
            }
            default -> {
                // local: no secrets
            }
        }
        return values;
    }

    /** Writes the fields into {@code config} in the type's documented order. */
    static void fill(ObjectNode config, String type, Map<String, Object> given, Map<String, String> secrets) {
        for (String field : FIELDS.get(type)) {
            Object value = given.containsKey(field) ? given.get(field) : secrets.get(field);
            if (value instanceof Integer number) {
                config.put(field, number);
            } else if (value != null) {
                config.put(field, value.toString());
            }
        }
    }

    static String flag(String field) {
        return "--" + field.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }

    private static void putIfSet(Map<String, String> values, String key, String value) {
        if (value != null) {
            values.put(key, value);
        }
    }
}
