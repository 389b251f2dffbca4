package io.ocore.backups.tools.traces;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * The local stack's trace receiver: OTLP over HTTP with protobuf bodies ({@code POST /v1/traces},
 * what the services' OpenTelemetry exporter sends with protocol {@code http/protobuf}), each span
 * appended to a file as one JSON object per line, for {@code bin/stack traces}. Listens on the
 * loopback only. Not part of a deployment: a cluster sends its spans to a real collector.
 *
 * <p>{@code java -jar trace-collector.jar PORT FILE}
 */
public final class TraceCollector implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    /** A body larger than this is refused (413): the exporter's batches are far smaller. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    /** How many recent span ids are remembered to drop a retried export's spans. */
    static final int SEEN_SPANS = 100_000;

    /** Past this size the file becomes FILE.1 (replacing the one before) and a new one begins. */
    static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;

    private final HttpServer server;
    private final Path file;
    private final long maxFileBytes;
    private Writer out;
    private long size;
    /** (trace id, span id) of the spans written lately: an exporter retries a batch whose answer it lost. */
    private final Set<String> seen = Collections.newSetFromMap(new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > SEEN_SPANS;
        }
    });

    private TraceCollector(HttpServer server, Path file, long maxFileBytes) throws IOException {
        this.server = server;
        this.file = file;
        this.maxFileBytes = maxFileBytes;
        open();
    }

    /** Starts a collector on 127.0.0.1:port (0: any free port) appending to file. */
    public static TraceCollector start(int port, Path file) throws IOException {
        return start(port, file, DEFAULT_MAX_FILE_BYTES);
    }

    static TraceCollector start(int port, Path file, long maxFileBytes) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        TraceCollector collector = new TraceCollector(server, file, maxFileBytes);
        server.createContext("/v1/traces", exchange -> {
            try {
                collector.traces(exchange);
            } catch (IOException | RuntimeException | Error e) {
                // the JDK's server drops the connection without a word: say why
                System.err.println("trace-collector: " + exchange.getRequestURI() + ": " + e);
                throw e;
            }
        });
        server.createContext("/health", exchange -> collector.reply(exchange, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8)));
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return collector;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void traces(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "text/plain", "POST only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type == null || !type.startsWith("application/x-protobuf")) {
                reply(exchange, 415, "text/plain", "application/x-protobuf only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            InputStream body = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                reply(exchange, 413, "text/plain", "body too large\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            ExportTraceServiceRequest request;
            try {
                request = ExportTraceServiceRequest.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                reply(exchange, 400, "text/plain", "not an ExportTraceServiceRequest\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            write(lines(request));
            reply(exchange, 200, "application/x-protobuf", ExportTraceServiceResponse.getDefaultInstance().toByteArray());
        }
    }

    private synchronized void write(List<Map.Entry<String, String>> spans) throws IOException {
        for (Map.Entry<String, String> span : spans) {
            if (seen.add(span.getKey())) {
                if (size > 0 && size >= maxFileBytes) {
                    out.close();
                    Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
                    open();
                }
                out.write(span.getValue());
                out.write('\n');
                size += span.getValue().getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }
        out.flush();
    }

    private void open() throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        size = Files.size(file);
    }

    /**
     * One JSON object per span (the value; the key is trace id and span id): ids in hex, the
     * resource's service.name, times, kind, status, attributes.
     */
    static List<Map.Entry<String, String>> lines(ExportTraceServiceRequest request) {
        return request.getResourceSpansList().stream().flatMap(resource -> {
            String service = attribute(resource, "service.name");
            return resource.getScopeSpansList().stream().map(ScopeSpans::getSpansList)
                    .flatMap(List::stream).map(span -> Map.entry(
                            hex(span.getTraceId()) + "/" + hex(span.getSpanId()), line(service, span)));
        }).toList();
    }

    private static String line(String service, Span span) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("traceId", hex(span.getTraceId()));
        node.put("spanId", hex(span.getSpanId()));
        node.put("parentSpanId", hex(span.getParentSpanId()));
        node.put("service", service);
        node.put("name", span.getName());
        node.put("kind", span.getKind().name().replace("SPAN_KIND_", ""));
        node.put("start", Instant.ofEpochSecond(0, span.getStartTimeUnixNano()).toString());
        node.put("startUnixNano", span.getStartTimeUnixNano());
        node.put("durationMs", (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1_000_000.0);
        node.put("status", span.getStatus().getCode().name().replace("STATUS_CODE_", ""));
        ObjectNode attributes = node.putObject("attributes");
        for (KeyValue kv : span.getAttributesList()) {
            attributes.set(kv.getKey(), value(kv.getValue()));
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode value(AnyValue value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (value.getValueCase()) {
            case STRING_VALUE -> f.textNode(value.getStringValue());
            case BOOL_VALUE -> f.booleanNode(value.getBoolValue());
            case INT_VALUE -> f.numberNode(value.getIntValue());
            case DOUBLE_VALUE -> f.numberNode(value.getDoubleValue());
            case ARRAY_VALUE -> {
                ArrayNode array = f.arrayNode();
                value.getArrayValue().getValuesList().forEach(v -> array.add(value(v)));
                yield array;
            }
            case BYTES_VALUE -> f.textNode(hex(value.getBytesValue()));
            default -> f.textNode(value.toString().strip());
        };
    }

    private static String attribute(ResourceSpans resource, String key) {
        return resource.getResource().getAttributesList().stream().filter(kv -> kv.getKey().equals(key))
                .map(kv -> kv.getValue().getStringValue()).findFirst().orElse("");
    }

    private static String hex(ByteString bytes) {
        return HEX.formatHex(bytes.toByteArray());
    }

    private void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.stop(0);
        synchronized (this) {
            out.close();
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java -jar trace-collector.jar PORT FILE");
            System.exit(2);
        }
        TraceCollector collector = start(Integer.parseInt(args[0]), Path.of(args[1]));
        System.out.println("trace-collector listening on 127.0.0.1:" + collector.port() + ", spans to " + args[1]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                collector.close();
            } catch (IOException ignored) {
                // exiting
            }
        }));
    }
}
