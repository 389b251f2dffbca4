package io.ocore.backups.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Where secret values come from, first match wins: the {@code --secrets-file} (a JSON object
 * keyed by the API field names), the environment variables, then a no-echo prompt when a
 * terminal is present. Never the command line. Every value read is registered with the
 * redactor, so nothing printed can show it.
 */
public final class Secrets {

    private final CliContext ctx;
    private final Path file;
    private final Set<String> allowedKeys;
    private final Set<String> plainKeys;
    private JsonNode fileValues;

    /**
     * @param allowedKeys what the secrets file may hold
     * @param plainKeys those of them that are not secret (an access key id) and may be shown
     */
    public Secrets(CliContext ctx, Path file, Set<String> allowedKeys, Set<String> plainKeys) {
        this.ctx = ctx;
        this.file = file;
        this.allowedKeys = allowedKeys;
        this.plainKeys = plainKeys;
    }

    /** The secrets file's value for {@code key}, else the first set variable; null if none. */
    public String find(String key, String... envVars) {
        String value = fromFile(key);
        for (int i = 0; value == null && i < envVars.length; i++) {
            value = ctx.env(envVars[i]);
        }
        remember(key, value);
        return value;
    }

    /** Only the secrets file's value for {@code key}. */
    public String fromFile(String key) {
        JsonNode values = fileValues();
        String value = values == null ? null : Json.text(values, key);
        remember(key, value);
        return value;
    }

    private void remember(String key, String value) {
        if (!plainKeys.contains(key)) {
            ctx.redactor().add(value);
        }
    }

    /** {@link #find}, else a prompt; null when neither has it (no terminal). */
    public String findOrPrompt(String key, String label, boolean secret, String... envVars) {
        String value = find(key, envVars);
        if (value == null && ctx.prompt().available()) {
            value = secret ? ctx.prompt().readSecret(label + ": ") : ctx.prompt().readLine(label + ": ");
            value = value == null || value.isEmpty() ? null : value;
            if (secret) {
                ctx.redactor().add(value);
            } else {
                remember(key, value);
            }
        }
        return value;
    }

    /** {@link #findOrPrompt} for a required secret; exit 2 naming where to put it when missing. */
    public String require(String key, String label, String... envVars) {
        String value = findOrPrompt(key, label, true, envVars);
        if (value == null) {
            throw CliException.usage(key + " is required: set " + String.join(" or ", envVars)
                    + ", put \"" + key + "\" in a --secrets-file, or run in a terminal to be prompted");
        }
        return value;
    }

    /** Reads a file a variable points at (a private key); null when the variable is unset. */
    public String fileFromEnv(String envVar) {
        String path = ctx.env(envVar);
        if (path == null) {
            return null;
        }
        try {
            String content = Files.readString(Path.of(path));
            ctx.redactor().add(content);
            return content;
        } catch (IOException e) {
            throw CliException.usage("cannot read " + envVar + " file " + path + ": " + e.getMessage());
        }
    }

    private JsonNode fileValues() {
        if (file == null) {
            return null;
        }
        if (fileValues == null) {
            try {
                fileValues = Json.parse(Files.readString(file));
            } catch (IOException | IllegalArgumentException e) {
                throw CliException.usage("cannot read secrets file " + file + ": " + e.getMessage());
            }
            if (!fileValues.isObject()) {
                throw CliException.usage("secrets file " + file + " must hold a JSON object");
            }
            fileValues.properties().forEach(entry -> {
                if (!allowedKeys.contains(entry.getKey())) {
                    throw CliException.usage("unknown key '" + entry.getKey() + "' in secrets file " + file
                            + ": expected " + String.join(", ", allowedKeys.stream().sorted().toList()));
                }
                if (entry.getValue().isValueNode()) {
                    remember(entry.getKey(), entry.getValue().asText());
                }
            });
        }
        return fileValues;
    }
}
