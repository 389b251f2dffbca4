package io.ocore.backups.platform.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Stream;

/** Reads a service's Prometheus metrics (its management port's {@code /q/metrics}) in tests. */
public final class Metrics {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Metrics() {
    }

    /**
     * The value of the first sample {@code name} (exactly, before its labels) whose labels include
     * every one of {@code labels} (each as {@code key="value"}); 0 when there is none yet.
     */
    public static double sample(URL metrics, String name, String... labels) {
        for (String line : scrape(metrics).split("\n")) {
            int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
            if (end > 0 && line.substring(0, end).equals(name) && Stream.of(labels).allMatch(line::contains)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** The whole exposition text. */
    public static String scrape(URL metrics) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(metrics.toString()))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError(metrics + " answered " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new AssertionError(metrics + " could not be read: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted reading " + metrics, e);
        }
    }
}
