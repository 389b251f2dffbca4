package io.ocore.backups.gateway.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.ConfigProvider;

/** The test's handle on {@link UpstreamsResource}'s control server. */
public final class Upstreams {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Upstreams() {
    }

    /** Every request the fake services received, oldest first: {service, method, uri}. */
    public static List<JsonObject> received() {
        JsonArray all = new JsonArray(call("GET", "/received"));
        return IntStream.range(0, all.size()).mapToObj(all::getJsonObject).toList();
    }

    public static void clearReceived() {
        call("DELETE", "/received");
    }

    public static void stop(String service) {
        call("POST", "/services/" + service + "/stop");
    }

    public static void start(String service) {
        call("POST", "/services/" + service + "/start");
    }

    /** Bytes of the streaming probe {@code id} that reached the fake service so far. */
    public static long streamedBytes(String id) {
        return new JsonObject(call("GET", "/streams/" + id)).getLong("bytes");
    }

    /** Lets the streaming response {@code id} send its second part and end. */
    public static boolean finishStream(String id) {
        return new JsonObject(call("POST", "/streams/" + id + "/finish")).getBoolean("finished");
    }

    private static String call(String method, String path) {
        String base = ConfigProvider.getConfig().getValue("test.upstreams.control", String.class);
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(method + " " + path + " -> " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
