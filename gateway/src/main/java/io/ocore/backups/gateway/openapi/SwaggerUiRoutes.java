package io.ocore.backups.gateway.openapi;

import io.ocore.backups.gateway.web.Problems;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code /q/swagger-ui}: Swagger UI's files from the {@code smallrye-open-api-ui} jar, started
 * by our own page on the gateway's merged {@code /q/openapi}.
 */
@ApplicationScoped
public class SwaggerUiRoutes {

    private static final String ROOT = "/q/swagger-ui";
    private static final String ASSETS = "META-INF/resources/openapi-ui/";
    private static final String OWN = "swagger-ui/";
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "map", "application/json",
            "png", "image/png",
            "ico", "image/x-icon");

    private final Map<String, Optional<Buffer>> files = new ConcurrentHashMap<>();

    void install(@Observes Router router) {
        router.route(HttpMethod.GET, ROOT).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT)
                .handler(rc -> {
                    // Vert.x matches the route with a trailing slash too: that one is the page.
                    if (rc.request().path().equals(ROOT)) {
                        rc.redirect(ROOT + "/");
                    } else {
                        rc.next();
                    }
                });
        router.route(HttpMethod.GET, ROOT + "/*").order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::handle);
    }

    void handle(RoutingContext rc) {
        String name = rc.request().path().substring(ROOT.length() + 1);
        if (name.isEmpty()) {
            name = "index.html";
        }
        if (!FILE_NAME.matcher(name).matches()) {
            Problems.notFound(rc.request());
            return;
        }
        String extension = name.substring(name.lastIndexOf('.') + 1);
        // Our page and initializer replace the jar's index.html; everything else is Swagger UI's.
        String resource = name.equals("index.html") || name.equals("swagger-initializer.js") ? OWN + name : ASSETS + name;
        Optional<Buffer> content = files.computeIfAbsent(resource, SwaggerUiRoutes::load);
        if (content.isEmpty()) {
            Problems.notFound(rc.request());
            return;
        }
        rc.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPES.getOrDefault(extension, "application/octet-stream"))
                .putHeader(HttpHeaders.CACHE_CONTROL, name.equals("index.html") ? "no-cache" : "public, max-age=3600")
                .end(content.get());
    }

    private static Optional<Buffer> load(String resource) {
        try (InputStream in = SwaggerUiRoutes.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
