package io.ocore.backups.securitysuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Well-formed requests for the probes (the fuzz run writes its own bytes: {@link RawHttp}). */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final URI base;

    Api(URI base) {
        this.base = base;
    }

    URI base() {
        return base;
    }

    /** What came back; status -1 when nothing did ({@code body} then says why). */
    record Answer(int status, String contentType, String body) {

        JsonNode json() {
            try {
                return body == null || body.isBlank() ? MissingNode.getInstance() : JSON.readTree(body);
            } catch (IOException e) {
                return MissingNode.getInstance();
            }
        }

        boolean isProblem() {
            return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/problem+json");
        }

        /** The {@code errors[].field} names of a problem body. */
        List<String> fields() {
            List<String> fields = new ArrayList<>();
            json().path("errors").forEach(e -> fields.add(e.path("field").asText()));
            return fields;
        }

        boolean names(String field) {
            return fields().contains(field);
        }

        /** Status and, for an error, the fields it names: what a check line shows. */
        String seen() {
            if (status < 0) {
                return "no answer: " + body;
            }
            List<String> fields = fields();
            return status + (fields.isEmpty() ? "" : " naming " + String.join(", ", fields));
        }

        String id() {
            return json().path("id").asText("");
        }
    }

    Answer get(String path, String token) {
        return send("GET", path, token, null);
    }

    Answer send(String method, String path, String token, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json, */*;q=0.5");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            try {
                byte[] bytes = body instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                        : JSON.writeValueAsBytes(body);
                request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.body());
        } catch (IOException e) {
            return new Answer(-1, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, null, "interrupted");
        }
    }
}
