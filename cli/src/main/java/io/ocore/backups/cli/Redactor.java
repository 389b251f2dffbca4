package io.ocore.backups.cli;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers every secret the CLI read (token, env, secrets file, prompt) and masks it in
 * anything printed, so a server that echoes a value back can never make the CLI show it.
 */
public final class Redactor {

    /** Shorter values would mask ordinary words; no real secret is this short. */
    private static final int MIN_LENGTH = 4;
    static final String MASK = "****";

    private final Set<String> secrets = ConcurrentHashMap.newKeySet();

    public void add(String secret) {
        if (secret != null && secret.strip().length() >= MIN_LENGTH) {
            secrets.add(secret);
            secrets.add(secret.strip());
        }
    }

    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return result;
    }
}
