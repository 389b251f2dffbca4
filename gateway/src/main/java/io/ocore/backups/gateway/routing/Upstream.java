package io.ocore.backups.gateway.routing;

import java.net.URI;
import java.util.Locale;

/**
 * One service as the gateway reaches it. {@link #name()} is what errors and logs show: never
 * the URL, which may carry credentials.
 */
public record Upstream(String name, String host, int port, boolean ssl, String basePath) {

    public static Upstream of(String name, URI url) {
        return of(name, url, "ocore.services." + name + ".url");
    }

    /** {@code property} names the setting in error messages. */
    public static Upstream of(String name, URI url, String property) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(property + " must be an http(s) URL");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException(property + " has no host");
        }
        boolean ssl = scheme.equals("https");
        int port = url.getPort() > 0 ? url.getPort() : ssl ? 443 : 80;
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        String basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return new Upstream(name, url.getHost(), port, ssl, basePath);
    }

    /** The URI to request upstream for the client's path and query. */
    public String uri(String pathAndQuery) {
        return basePath + pathAndQuery;
    }
}
