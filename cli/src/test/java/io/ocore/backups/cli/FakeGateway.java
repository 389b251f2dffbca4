package io.ocore.backups.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the gateway on 127.0.0.1: answers canned JSON per "METHOD /path" (in order,
 * the last answer repeating) and records every request it gets.
 */
final class FakeGateway implements AutoCloseable {

    record Request(String method, String path, String query, String authorization, String contentType, String body) {
        JsonNode json() {
            return Json.parse(body);
        }
    }

    private record Answer(int status, byte[] bytes, Map<String, String> headers) {
        Answer(int status, String body) {
            this(status, body == null ? null : body.getBytes(StandardCharsets.UTF_8), null);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();

    FakeGateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues an answer for METHOD path (no query string). */
    FakeGateway on(String method, String path, int status, String body) {
        answers.computeIfAbsent(method + " " + path, k -> new ArrayDeque<>()).add(new Answer(status, body));
        return this;
    }

    /** Queues a binary answer (a download) with extra response headers. */
    FakeGateway onBytes(String method, String path, int status, byte[] body, Map<String, String> headers) {
        answers.computeIfAbsent(method + " " + path, k -> new ArrayDeque<>()).add(new Answer(status, body, headers));
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    Request only(String method, String path) {
        List<Request> matching = requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path))
                .toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one " + method + " " + path + ", got " + requests);
        }
        return matching.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        requests.add(new Request(method, path, exchange.getRequestURI().getRawQuery(),
                exchange.getRequestHeaders().getFirst("Authorization"),
                exchange.getRequestHeaders().getFirst("Content-Type"), body));
        Deque<Answer> queue = answers.get(method + " " + path);
        Answer answer;
        if (queue == null || queue.isEmpty()) {
            answer = new Answer(404, "{\"type\":\"https://ocore.io/problems/not-found\",\"title\":\"Not Found\","
                    + "\"status\":404,\"detail\":\"no route " + method + " " + path + "\"}");
        } else {
            answer = queue.size() > 1 ? queue.poll() : queue.peek();
        }
        byte[] bytes = answer.bytes() == null ? new byte[0] : answer.bytes();
        if (answer.headers() != null) {
            answer.headers().forEach(exchange.getResponseHeaders()::add);
        } else {
            exchange.getResponseHeaders().add("Content-Type",
                    answer.status() >= 400 ? "application/problem+json" : "application/json");
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
