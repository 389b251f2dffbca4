package io.ocore.backups.tools.traces;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector against the OpenTelemetry SDK's own OTLP/HTTP exporter (what Quarkus' exporter speaks). */
class TraceCollectorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void spansFromTheSdksOtlpHttpExporterAreWrittenOnePerLine() throws Exception {
        Path file = dir.resolve("spans.jsonl");
        try (TraceCollector collector = TraceCollector.start(0, file)) {
            OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                    .setEndpoint("http://127.0.0.1:" + collector.port() + "/v1/traces").build();
            SdkTracerProvider provider = SdkTracerProvider.builder()
                    .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "backup-service")))
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
            Tracer tracer = provider.get("test");
            Span parent = tracer.spanBuilder("POST /api/environments/{envId}/backups").setSpanKind(SpanKind.SERVER).startSpan();
            String traceId = parent.getSpanContext().getTraceId();
            try (Scope ignored = parent.makeCurrent()) {
                tracer.spanBuilder("backup run").setAttribute("ocore.backup.id", "b-1")
                        .setAttribute("ocore.attempt", 2L).startSpan().end();
            }
            parent.end();
            assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).as("export acknowledged").isTrue();
            provider.close();

            List<JsonNode> spans = Files.readAllLines(file).stream().map(TraceCollectorTest::parse).toList();
            assertThat(spans).hasSize(2);
            JsonNode run = named(spans, "backup run");
            JsonNode request = named(spans, "POST /api/environments/{envId}/backups");
            assertThat(run.get("traceId").asText()).isEqualTo(traceId);
            assertThat(run.get("parentSpanId").asText()).isEqualTo(parent.getSpanContext().getSpanId());
            assertThat(run.get("service").asText()).isEqualTo("backup-service");
            assertThat(run.get("kind").asText()).isEqualTo("INTERNAL");
            assertThat(run.at("/attributes/ocore.backup.id").asText()).isEqualTo("b-1");
            assertThat(run.at("/attributes/ocore.attempt").asLong()).isEqualTo(2L);
            assertThat(request.get("kind").asText()).isEqualTo("SERVER");
            assertThat(request.get("parentSpanId").asText()).isEmpty();
            assertThat(request.get("start").asText()).endsWith("Z");
            assertThat(request.get("durationMs").asDouble()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void aRetriedExportIsWrittenOnce() throws Exception {
        Path file = dir.resolve("spans.jsonl");
        byte[] body = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(io.opentelemetry.proto.trace.v1.Span.newBuilder()
                        .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
                        .setName("retried")))).build().toByteArray();
        try (TraceCollector collector = TraceCollector.start(0, file)) {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.port() + "/v1/traces"))
                    .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            assertThat(client.send(post, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            assertThat(client.send(post, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        }
        assertThat(Files.readAllLines(file)).singleElement().satisfies(line -> assertThat(line).contains("\"spanId\":\"0102030405060708\""));
    }

    @Test
    void aFullFileBecomesTheOneBeforeAndANewOneBegins() throws Exception {
        Path file = dir.resolve("spans.jsonl");
        try (TraceCollector collector = TraceCollector.start(0, file, 1)) {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 1; i <= 3; i++) {
                byte[] body = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                        .addScopeSpans(ScopeSpans.newBuilder().addSpans(io.opentelemetry.proto.trace.v1.Span.newBuilder()
                                .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) i}))
                                .setName("span " + i)))).build().toByteArray();
                assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.port() + "/v1/traces"))
                        .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            }
        }
        assertThat(Files.readAllLines(file)).singleElement().satisfies(line -> assertThat(line).contains("span 3"));
        assertThat(Files.readAllLines(dir.resolve("spans.jsonl.1"))).singleElement().satisfies(line -> assertThat(line).contains("span 2"));
    }

    @Test
    void otherBodiesAreRefusedAndNothingIsWritten() throws Exception {
        Path file = dir.resolve("spans.jsonl");
        try (TraceCollector collector = TraceCollector.start(0, file)) {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + collector.port() + "/v1/traces");
            assertThat(client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).isEqualTo(415);
            assertThat(client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, 0x01, 0x02})).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(400);
            assertThat(client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).isEqualTo(405);
        }
        assertThat(Files.readAllLines(file)).isEmpty();
    }

    private static JsonNode named(List<JsonNode> spans, String name) {
        return spans.stream().filter(s -> s.get("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError(line, e);
        }
    }
}
