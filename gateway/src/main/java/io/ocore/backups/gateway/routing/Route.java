package io.ocore.backups.gateway.routing;

/**
 * A compiled row of the routing table.
 *
 * @param maxBodySize bytes a request body may have on this route
 */
public record Route(PathPattern pattern, Upstream upstream, boolean authenticate, long maxBodySize) {
}
