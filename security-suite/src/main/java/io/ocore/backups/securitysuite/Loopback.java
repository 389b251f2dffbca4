package io.ocore.backups.securitysuite;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/** The suite sends malformed and hostile requests: it only ever talks to this machine. */
final class Loopback {

    private Loopback() {
    }

    /** @throws IllegalArgumentException unless every address the URL's host resolves to is a loopback address */
    static URI require(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + url);
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("an http://host:port URL is needed, got " + url);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host does not resolve: " + uri.getHost());
        }
        for (InetAddress address : addresses) {
            if (!address.isLoopbackAddress()) {
                throw new IllegalArgumentException("refusing to run against " + url + ": " + address.getHostAddress()
                        + " is not a loopback address (the suite runs on the local stack only)");
            }
        }
        return uri;
    }

    static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : 80;
    }
}
