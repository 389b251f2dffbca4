package io.ocore.backups.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.ocore.backups.cli.CliException;
import io.ocore.backups.cli.ExitCodes;
import io.ocore.backups.cli.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/** JSON over HTTP to the gateway, Bearer token, errors turned into {@link CliException}s. */
public final class ApiClient {

    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    private final HttpClient http;
    private final URI baseUrl;
    private final String token;
    private final String userAgent;

    public ApiClient(HttpClient http, URI baseUrl, String token, String userAgent) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.token = token;
        this.userAgent = userAgent;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** Encodes one path segment (an id the user typed). */
    public static String seg(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public JsonNode get(String path) {
        return send("GET", path, Map.of(), null);
    }

    public JsonNode get(String path, Map<String, ?> query) {
        return send("GET", path, query, null);
    }

    public JsonNode post(String path, JsonNode body) {
        return send("POST", path, Map.of(), body);
    }

    public JsonNode put(String path, JsonNode body) {
        return send("PUT", path, Map.of(), body);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, Map.of(), null);
    }

    /**
     * Every element of a list, following {@code nextCursor} until the server has no more or
     * {@code limit} (when not null) elements are collected. The answer is either a JSON array
     * or {@code {"items": [...], "nextCursor": "..."}}.
     */
    public List<JsonNode> listAll(String path, Map<String, ?> query, Integer limit) {
        List<JsonNode> all = new ArrayList<>();
        Map<String, Object> params = new LinkedHashMap<>(query);
        String previousCursor = null;
        while (true) {
            JsonNode page = get(path, params);
            for (JsonNode item : Json.items(page)) {
                if (limit != null && all.size() >= limit) {
                    return all;
                }
                all.add(item);
            }
            String next = page.isObject() ? Json.text(page, "nextCursor") : null;
            if (next == null || next.isBlank() || next.equals(previousCursor)
                    || (limit != null && all.size() >= limit)) {
                return all;
            }
            previousCursor = next;
            params.put("cursor", next);
        }
    }

    /**
     * GET whose body is a byte stream (a download): answers the open response once the status
     * says success; the caller reads and closes the body. Errors are turned into exceptions as
     * for JSON calls.
     */
    public HttpResponse<java.io.InputStream> stream(String path, Map<String, ?> query) {
        URI uri = URI.create(baseUrl + path + queryString(query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/octet-stream, application/problem+json")
                .header("User-Agent", userAgent)
                .GET();
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<java.io.InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "Interrupted");
        } catch (IOException e) {
            throw connectionFailure(e);
        } catch (UnresolvedAddressException e) {
            throw new CliException(ExitCodes.CONNECTION, "Cannot connect to the oCore gateway at " + baseUrl
                    + ": unknown host (check OCORE_URL or --url)");
        }
        int status = response.statusCode();
        if (status >= 400) {
            String text;
            try (java.io.InputStream in = response.body()) {
                text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            } catch (IOException e) {
                text = "";
            }
            throw new ApiException(status, ProblemRenderer.render(status, text));
        }
        return response;
    }

    private JsonNode send(String method, String path, Map<String, ?> query, JsonNode body) {
        URI uri = URI.create(baseUrl + path + queryString(query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json, application/problem+json")
                .header("User-Agent", userAgent);
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofString(Json.compact(body), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "Interrupted");
        } catch (IOException e) {
            throw connectionFailure(e);
        } catch (UnresolvedAddressException e) {
            throw new CliException(ExitCodes.CONNECTION, "Cannot connect to the oCore gateway at " + baseUrl
                    + ": unknown host (check OCORE_URL or --url)");
        }
        int status = response.statusCode();
        if (status >= 400) {
            throw new ApiException(status, ProblemRenderer.render(status, response.body()));
        }
        String text = response.body();
        if (text == null || text.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ERROR, "Unexpected answer from " + method + " " + path
                    + " (HTTP " + status + "): not JSON");
        }
    }

    private CliException connectionFailure(IOException e) {
        String why;
        if (hasCause(e, ConnectException.class)) {
            why = "connection refused";
        } else if (e instanceof HttpConnectTimeoutException) {
            why = "connection timed out";
        } else if (hasCause(e, UnresolvedAddressException.class) || hasCause(e, java.net.UnknownHostException.class)) {
            why = "unknown host";
        } else if (e instanceof HttpTimeoutException) {
            return new CliException(ExitCodes.CONNECTION, "The oCore gateway at " + baseUrl
                    + " did not answer within " + REQUEST_TIMEOUT.toMinutes() + " minutes");
        } else {
            why = Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
        }
        return new CliException(ExitCodes.CONNECTION, "Cannot connect to the oCore gateway at " + baseUrl + ": " + why
                + " (check OCORE_URL or --url)");
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String queryString(Map<String, ?> query) {
        StringJoiner joiner = new StringJoiner("&", "?", "");
        joiner.setEmptyValue("");
        query.forEach((name, value) -> {
            if (value != null && !value.toString().isEmpty()) {
                joiner.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
            }
        });
        return joiner.toString();
    }
}
