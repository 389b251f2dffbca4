package io.ocore.backups.gateway.proxy;

import io.netty.channel.ConnectTimeoutException;
import io.ocore.backups.gateway.config.GatewayConfig;
import io.ocore.backups.gateway.routing.Upstream;
import io.ocore.backups.gateway.web.Exchanges;
import io.ocore.backups.gateway.web.Problems;
import io.ocore.backups.gateway.web.RequestIds;
import io.quarkus.logging.Log;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Forwards one exchange to a service with vertx-http-proxy: both bodies are piped with
 * back-pressure, never held whole in memory.
 */
@ApplicationScoped
public class UpstreamProxy {

    private static final ProxyOptions OPTIONS = new ProxyOptions().setSupportWebSocket(false);
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    private static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    private static final List<CharSequence> HOP_BY_HOP_RESPONSE = List.of(HttpHeaders.CONNECTION,
            HttpHeaders.KEEP_ALIVE, HttpHeaders.PROXY_AUTHENTICATE, "Trailer", HttpHeaders.UPGRADE);

    private static final List<String> TRACE_CONTEXT_HEADERS = List.of("traceparent", "tracestate", "baggage");

    private final UpstreamClient upstreams;
    private final GatewayConfig config;

    public UpstreamProxy(UpstreamClient upstreams, GatewayConfig config) {
        this.upstreams = upstreams;
        this.config = config;
    }

    /**
     * Sends the request to {@code upstream} at {@code path} (plus the client's query string)
     * and streams the answer back.
     *
     * @param bodyLimit bytes the body may have; a Content-Length over it was refused already,
     *                  a chunked body is cut off (413) when it grows past it
     */
    public void forward(RoutingContext rc, Upstream upstream, String path, long bodyLimit) {
        HttpServerRequest request = rc.request();
        String query = request.query();
        String uri = upstream.uri(query == null ? path : path + "?" + query);
        HttpProxy proxy = HttpProxy.reverseProxy(OPTIONS, upstreams.client())
                .origin(context -> context.client().request(
                        upstreams.options(upstream, request.method(), uri, config.upstreamTimeout())))
                .addInterceptor(new Exchange(rc, upstream, uri, bodyLimit));
        proxy.handle(request);
    }

    /** What the gateway adds to and takes from one proxied exchange. */
    private final class Exchange implements ProxyInterceptor {

        private final RoutingContext rc;
        private final Upstream upstream;
        private final String uri;
        private final long bodyLimit;
        private LimitedReadStream limitedBody;

        Exchange(RoutingContext rc, Upstream upstream, String uri, long bodyLimit) {
            this.rc = rc;
            this.upstream = upstream;
            this.uri = uri;
            this.bodyLimit = bodyLimit;
        }

        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
            ProxyRequest proxyRequest = context.request();
            HttpServerRequest request = proxyRequest.proxiedRequest();
            proxyRequest.setURI(uri);
            MultiMap headers = proxyRequest.headers();
            // Headers the client named in Connection are hop-by-hop too (RFC 9110, 7.6.1).
            for (String connection : headers.getAll(HttpHeaders.CONNECTION)) {
                for (String name : connection.split(",")) {
                    if (!name.isBlank()) {
                        headers.remove(name.trim());
                    }
                }
            }
            // The gateway answered "100 Continue" itself once it accepted the request.
            headers.remove(HttpHeaders.EXPECT);
            // A client's trace context is not passed on: the service continues the gateway's trace, whose
            // traceparent the HTTP client's instrumentation writes when it sends (EdgeTracePropagation).
            TRACE_CONTEXT_HEADERS.forEach(headers::remove);
            headers.set(RequestIds.HEADER, (String) rc.get(RequestIds.CONTEXT_KEY));
            setForwardedHeaders(request, headers);

            if (request.getHeader(HttpHeaders.CONTENT_LENGTH) == null && proxyRequest.getBody() != null) {
                limitedBody = new LimitedReadStream(proxyRequest.getBody().stream(), bodyLimit);
                proxyRequest.setBody(Body.body(limitedBody, -1));
                if (request.version() == io.vertx.core.http.HttpVersion.HTTP_2) {
                    // An HTTP/2 (h2c) body has neither Content-Length nor chunked framing; vertx-http-proxy
                    // sends a body of unknown length upstream (HTTP/1.1) chunked only when the client's
                    // request says Transfer-Encoding: chunked, and otherwise fails every write, leaving the
                    // client hanging. Say it on the client's request (read only for that decision).
                    request.headers().set(HttpHeaders.TRANSFER_ENCODING, "chunked");
                }
            }
            return context.sendRequest().recover(failure -> Future.succeededFuture(failed(context, failure)));
        }

        @Override
        public Future<Void> handleProxyResponse(ProxyContext context) {
            ProxyResponse response = context.response();
            HOP_BY_HOP_RESPONSE.forEach(response.headers()::remove);
            response.headers().set(RequestIds.HEADER, (String) rc.get(RequestIds.CONTEXT_KEY));
            return context.sendResponse();
        }

        private void setForwardedHeaders(HttpServerRequest request, MultiMap headers) {
            String client = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
            String host = request.getHeader(HttpHeaders.HOST);
            String proto = request.scheme();
            if (config.trustForwardedHeaders()) {
                String chain = headers.get(X_FORWARDED_FOR);
                headers.set(X_FORWARDED_FOR, chain == null || chain.isBlank() ? client : chain + ", " + client);
                if (headers.contains(X_FORWARDED_PROTO)) {
                    proto = headers.get(X_FORWARDED_PROTO);
                }
                if (headers.contains(X_FORWARDED_HOST)) {
                    host = headers.get(X_FORWARDED_HOST);
                }
            } else {
                headers.set(X_FORWARDED_FOR, client);
            }
            headers.set(X_FORWARDED_PROTO, proto == null ? "http" : proto);
            if (host != null) {
                headers.set(X_FORWARDED_HOST, host);
            } else {
                headers.remove(X_FORWARDED_HOST);
            }
        }

        /** The problem answered when the exchange failed before the service's response began. */
        private ProxyResponse failed(ProxyContext context, Throwable failure) {
            int status;
            String type;
            String title;
            String detail;
            if (limitedBody != null && limitedBody.exceeded()) {
                status = 413;
                type = Problems.TOO_LARGE;
                title = "Payload Too Large";
                detail = "The request body exceeds " + bodyLimit + " bytes";
            } else if (isTimeout(failure)) {
                status = 504;
                type = Problems.GATEWAY_TIMEOUT;
                title = "Gateway Timeout";
                detail = "Service '" + upstream.name() + "' did not answer in time";
                Log.warnf("Upstream %s timed out (request %s)", upstream.name(), rc.get(RequestIds.CONTEXT_KEY));
            } else {
                status = 502;
                type = Problems.BAD_GATEWAY;
                title = "Bad Gateway";
                detail = "Service '" + upstream.name() + "' is unavailable";
                Log.warnf("Upstream %s failed (request %s): %s", upstream.name(), rc.get(RequestIds.CONTEXT_KEY),
                        failure.getClass().getSimpleName());
            }
            ProxyResponse response = context.request().release().response()
                    .setStatusCode(status)
                    .putHeader(HttpHeaders.CONTENT_TYPE, Problems.MEDIA_TYPE)
                    .setBody(Body.body(Problems.buffer(status, type, title, detail, rc.request().path())));
            Exchanges.discardBody(rc);
            return response;
        }
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof ConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
