package io.ocore.backups.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the gateway is and the token to present. Each value comes from the first of: the
 * {@code --url}/{@code --token} flags, {@code OCORE_URL}/{@code OCORE_TOKEN}, the config file
 * {@code ~/.config/ocore/config.json}; the URL defaults to the local stack's gateway.
 */
public record CliConfig(URI url, String token) {

    public static final String DEFAULT_URL = "http://localhost:8080";

    public static Path configFile(CliContext ctx) {
        return ctx.home().resolve(".config").resolve("ocore").resolve("config.json");
    }

    public static CliConfig resolve(CliContext ctx, String urlFlag, String tokenFlag) {
        JsonNode file = readFile(ctx);
        String url = firstNonBlank(urlFlag, ctx.env("OCORE_URL"), Json.text(file, "url"), DEFAULT_URL);
        String token = firstNonBlank(tokenFlag, ctx.env("OCORE_TOKEN"), Json.text(file, "token"));
        URI uri;
        try {
            uri = URI.create(url.strip().replaceAll("/+$", ""));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("invalid gateway URL '" + url + "'");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw CliException.usage("invalid gateway URL '" + url + "': expected http(s)://host[:port]");
        }
        return new CliConfig(uri, token == null ? null : token.strip());
    }

    private static JsonNode readFile(CliContext ctx) {
        Path file = configFile(ctx);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode node = Json.parse(Files.readString(file));
            if (!node.isObject()) {
                throw CliException.usage("config file " + file + " must hold a JSON object {\"url\": ..., \"token\": ...}");
            }
            return node;
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.usage("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    private static String firstNonBlank(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }
}
