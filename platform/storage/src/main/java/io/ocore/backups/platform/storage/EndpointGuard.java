package io.ocore.backups.platform.storage;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * SSRF guard for addresses a user supplies (S3 endpoints, SFTP hosts, webhook URLs): link-local
 * and cloud-metadata targets are always refused; loopback and private ranges only when the
 * operator allows them; a name that does not resolve is refused. Connections then use the
 * addresses the guard checked ({@link PinnedResolver}), never a second lookup.
 */
public final class EndpointGuard {

    /** The reason given for a host name without addresses. */
    public static final String DOES_NOT_RESOLVE = "does not resolve";

    private static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata",
            "metadata.goog", "instance-data", "instance-data.ec2.internal");
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final byte[] AWS_IPV6_METADATA = literal("fd00:ec2::254").getAddress();

    private EndpointGuard() {
    }

    /** A reason in plain words why the URL may not be used, or empty when it may. Resolves the host. */
    public static Optional<String> check(URI uri, boolean allowPrivate) {
        return check(uri, allowPrivate, HostResolver.SYSTEM);
    }

    /** As {@link #check(URI, boolean)} with the given resolver. */
    public static Optional<String> check(URI uri, boolean allowPrivate, HostResolver resolver) {
        Optional<String> syntax = checkUrl(uri);
        return syntax.isPresent() ? syntax : checkHost(uri.getHost(), allowPrivate, resolver);
    }

    /**
     * As {@link #check(URI, boolean)} but without DNS: literal addresses and metadata names are
     * judged now, other names when a connection resolves them (through a {@link PinnedResolver}).
     */
    public static Optional<String> checkWithoutResolving(URI uri, boolean allowPrivate) {
        Optional<String> syntax = checkUrl(uri);
        return syntax.isPresent() ? syntax : checkHostWithoutResolving(uri.getHost(), allowPrivate);
    }

    /**
     * For URLs the operator configures (Graph and Drive bases): judged like user input when they
     * resolve, but a name that does not resolve now is left to the connection to report.
     */
    public static Optional<String> checkConfigured(URI uri, boolean allowPrivate) {
        Optional<String> reason = check(uri, allowPrivate);
        return reason.filter(r -> !r.equals(DOES_NOT_RESOLVE));
    }

    /** A host name or address literal (brackets allowed around IPv6): resolved and every address judged. */
    public static Optional<String> checkHost(String host, boolean allowPrivate, HostResolver resolver) {
        try {
            resolve(host, allowPrivate, resolver);
            return Optional.empty();
        } catch (BlockedAddressException e) {
            return Optional.of(e.getMessage());
        } catch (UnknownHostException e) {
            return Optional.of(DOES_NOT_RESOLVE);
        }
    }

    /** The judgement of {@link #checkHost} that needs no DNS (metadata names, address literals). */
    public static Optional<String> checkHostWithoutResolving(String host, boolean allowPrivate) {
        String h = normalizeHost(host);
        if (METADATA_HOSTS.contains(h)) {
            return Optional.of("must not point at a cloud metadata service");
        }
        InetAddress literal = literal(h);
        return literal != null ? check(literal, allowPrivate) : Optional.empty();
    }

    /**
     * Resolves {@code host} once and judges every address; the addresses are what a connection must
     * then use. {@link BlockedAddressException} when one is refused, {@link UnknownHostException}
     * when there are none.
     */
    public static List<InetAddress> resolve(String host, boolean allowPrivate, HostResolver resolver)
            throws UnknownHostException {
        String h = normalizeHost(host);
        Optional<String> byName = checkHostWithoutResolving(h, allowPrivate);
        if (byName.isPresent()) {
            throw new BlockedAddressException(byName.get());
        }
        InetAddress literal = literal(h);
        InetAddress[] addresses = literal != null ? new InetAddress[] {literal} : resolver.resolve(h);
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException(h);
        }
        for (InetAddress a : addresses) {
            Optional<String> reason = check(a, allowPrivate);
            if (reason.isPresent()) {
                throw new BlockedAddressException(reason.get());
            }
        }
        return List.of(addresses);
    }

    /** The same rules for one resolved address. */
    public static Optional<String> check(InetAddress a, boolean allowPrivate) {
        if (a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()
                || Arrays.equals(a.getAddress(), AWS_IPV6_METADATA)) {
            return Optional.of("must not point at a link-local or cloud metadata address");
        }
        if (!allowPrivate && (a.isLoopbackAddress() || a.isSiteLocalAddress() || isUniqueLocal(a) || isSharedCgnat(a))) {
            return Optional.of("must not point at a loopback or private network address");
        }
        return Optional.empty();
    }

    /** Lower case, without IPv6 brackets and a trailing dot. */
    static String normalizeHost(String host) {
        String h = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    private static Optional<String> checkUrl(URI uri) {
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
        return Optional.empty();
    }

    /** {@code h} as an address when it is an address literal (parsed without DNS), else null. */
    private static InetAddress literal(String h) {
        if (!h.contains(":") && !IPV4_LITERAL.matcher(h).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isUniqueLocal(InetAddress a) {
        return a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
    }

    private static boolean isSharedCgnat(InetAddress a) {
        byte[] b = a.getAddress();
        return a instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }
}
