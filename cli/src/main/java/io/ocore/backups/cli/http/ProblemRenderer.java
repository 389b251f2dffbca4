package io.ocore.backups.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.ocore.backups.cli.Json;

/**
 * Turns an error answer (RFC 9457 problem+json, or anything else a proxy may send) into the
 * text the user reads:
 *
 * <pre>
 * Error 400: Validation failed
 *   config.bucket: must not be blank
 * </pre>
 */
public final class ProblemRenderer {

    private static final int MAX_BODY = 300;

    private ProblemRenderer() {
    }

    public static String render(int status, String body) {
        JsonNode problem = null;
        if (body != null && !body.isBlank()) {
            try {
                problem = Json.parse(body);
            } catch (IllegalArgumentException notJson) {
                problem = null;
            }
        }
        StringBuilder text = new StringBuilder("Error ").append(status).append(": ");
        if (problem != null && problem.isObject()) {
            String title = Json.text(problem, "title");
            String detail = Json.text(problem, "detail");
            text.append(title != null ? title : reason(status));
            JsonNode errors = problem.get("errors");
            if (errors != null && errors.isArray() && !errors.isEmpty()) {
                for (JsonNode error : errors) {
                    String field = Json.text(error, "field");
                    String message = Json.text(error, "message");
                    text.append("\n  ").append(field != null ? field + ": " : "").append(message != null ? message : "");
                }
            } else if (detail != null && !detail.equals(title)) {
                text.append("\n  ").append(detail);
            }
        } else {
            text.append(reason(status));
            if (body != null && !body.isBlank()) {
                String trimmed = body.strip();
                text.append("\n  ").append(trimmed.length() > MAX_BODY ? trimmed.substring(0, MAX_BODY) + "..." : trimmed);
            }
        }
        if (status == 401) {
            text.append("\n  (set OCORE_TOKEN, --token or \"token\" in ~/.config/ocore/config.json)");
        }
        return text.toString();
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Payload Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "HTTP error";
        };
    }
}
