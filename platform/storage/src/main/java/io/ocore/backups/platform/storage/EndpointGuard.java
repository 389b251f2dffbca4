package io.ocore.backups.platform.storage;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * SSRF guard for endpoints a user supplies (s3_compatible endpoint, overridden Graph/Drive bases):
 * link-local and cloud-metadata targets are always refused; loopback and private ranges only
 * when the operator allows them.
 */
public final class EndpointGuard {

    private static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata",
            "metadata.goog", "instance-data", "instance-data.ec2.internal");
    private static final byte[] AWS_IPV6_METADATA = parse("fd00:ec2::254");

    private EndpointGuard() {
    }

    /** A reason in plain words why the URL may not be used, or empty when it may. Resolves the host. */
    public static Optional<String> check(URI uri, boolean allowPrivate) {
        if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
            return Optional.of("must be an absolute http or https URL with a host");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("must use http or https");
        }
        if (uri.getUserInfo() != null) {
            return Optional.of("must not contain a user name or password");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (METADATA_HOSTS.contains(host)) {
            return Optional.of("must not point at a cloud metadata service");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            // not resolvable now: nothing to judge; the connection will fail with NAME_RESOLUTION
            return Optional.empty();
        }
        for (InetAddress a : addresses) {
            Optional<String> reason = check(a, allowPrivate);
            if (reason.isPresent()) {
                return reason;
            }
        }
        return Optional.empty();
    }

    /** The same rules for one resolved address (used again at connect time against DNS rebinding). */
    public static Optional<String> check(InetAddress a, boolean allowPrivate) {
        if (a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()
                || java.util.Arrays.equals(a.getAddress(), AWS_IPV6_METADATA)) {
            return Optional.of("must not point at a link-local or cloud metadata address");
        }
        if (!allowPrivate && (a.isLoopbackAddress() || a.isSiteLocalAddress() || isUniqueLocal(a) || isSharedCgnat(a))) {
            return Optional.of("must not point at a loopback or private network address");
        }
        return Optional.empty();
    }

    private static boolean isUniqueLocal(InetAddress a) {
        return a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
    }

    private static boolean isSharedCgnat(InetAddress a) {
        byte[] b = a.getAddress();
        return a instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }

    private static byte[] parse(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
