package io.ocore.backups.platform.security.confinement;

import io.ocore.backups.platform.web.Problem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The operator's confinement of environments ({@link EnvironmentPolicy}): their databases only on
 * configured PostgreSQL servers (never the services' own), their filestore and odoo.conf only
 * inside configured roots, never in or around /proc, /sys, /dev or a protected path. Paths are
 * judged on their real path (symbolic links followed), at registration and again at every use.
 */
public final class EnvironmentConfinement {

    /** The two kinds of environment path, each with its own roots. */
    public enum Area {
        FILESTORE("filestorePath", "filestore", "ocore.environments.filestore-roots"),
        CONFIG("configPath", "config", "ocore.environments.config-roots");

        /** The registration field this path comes from. */
        public final String field;
        final String noun;
        final String key;

        Area(String field, String noun, String key) {
            this.field = field;
            this.noun = noun;
            this.key = key;
        }
    }

    /** Never an environment path, whatever the configuration: the kernel's and devices' views. */
    static final List<Path> ALWAYS_PROTECTED = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));
    static final int DEFAULT_PG_PORT = 5432;

    /** One {@code host:port}. */
    record Server(String host, int port) {
    }

    /** Why a path is refused: the words of a 400 field error, and those of a failed backup or restore. */
    private record Refusal(String fieldMessage, String reason) {
    }

    private final List<Server> allowedServers;
    private final List<Server> ownServers;
    private final List<String> filestoreRoots;
    private final List<String> configRoots;
    private final List<String> protectedPaths;

    /**
     * @param ownDatabaseUrls the services' own database URLs ({@code quarkus.datasource.reactive.url},
     *                        {@code ...jdbc.url}): those servers are refused even when listed
     */
    public EnvironmentConfinement(List<String> databaseServers, List<String> filestoreRoots, List<String> configRoots,
            List<String> protectedPaths, List<String> ownDatabaseUrls) {
        this.allowedServers = databaseServers.stream().map(String::strip).filter(s -> !s.isEmpty())
                .map(EnvironmentConfinement::server).toList();
        this.ownServers = ownDatabaseUrls.stream().flatMap(u -> serversOfUrl(u).stream()).toList();
        this.filestoreRoots = clean(filestoreRoots);
        this.configRoots = clean(configRoots);
        this.protectedPaths = clean(protectedPaths);
    }

    public static EnvironmentConfinement of(EnvironmentPolicy policy, List<String> ownDatabaseUrls) {
        return new EnvironmentConfinement(policy.databaseServers().orElse(List.of()),
                policy.filestoreRoots().orElse(List.of()), policy.configRoots().orElse(List.of()),
                policy.protectedPaths().orElse(List.of()), ownDatabaseUrls);
    }

    // --- paths -----------------------------------------------------------------------------------

    /** At registration: the 400 message for {@code area}'s field, or empty when the path is accepted. */
    public Optional<String> pathError(Area area, String path) {
        return refusal(area, path).map(Refusal::fieldMessage);
    }

    /**
     * At use: the real path of {@code path} when it is still confined; else fails with the plain
     * reason (e.g. "the filestore path leaves the configured filestore roots"). Use the answer, not
     * the given path, for the operation, so a link swapped in afterwards is not followed.
     */
    public Path confine(Area area, Path path) throws ConfinementException {
        Optional<Refusal> r = refusal(area, path.toString());
        if (r.isPresent()) {
            throw new ConfinementException(r.get().reason());
        }
        try {
            return realPath(Path.of(path.toString()));
        } catch (IOException e) {
            throw new ConfinementException("the " + area.noun + " path cannot be resolved");
        }
    }

    private Optional<Refusal> refusal(Area area, String raw) {
        String noun = area.noun;
        if (raw == null || !raw.startsWith("/") || raw.indexOf('\0') >= 0 || hasDotDot(raw)) {
            return Optional.of(new Refusal("must be an absolute path without '..'",
                    "the " + noun + " path is not an absolute path without '..'"));
        }
        List<String> roots = area == Area.FILESTORE ? filestoreRoots : configRoots;
        if (roots.isEmpty()) {
            return Optional.of(new Refusal("cannot be accepted: no " + noun + " roots are configured (set " + area.key
                    + ")", "no " + noun + " roots are configured (" + area.key + ")"));
        }
        Path real;
        try {
            real = realPath(Path.of(raw));
        } catch (IOException e) {
            return Optional.of(new Refusal("must not be or pass through a symbolic link that leads nowhere",
                    "the " + noun + " path passes through a symbolic link that leads nowhere"));
        }
        for (Path p : protectedReal()) {
            if (real.startsWith(p) || p.startsWith(real)) {
                return Optional.of(new Refusal(
                        "must not be in or contain /proc, /sys, /dev or a protected path of the platform",
                        "the " + noun + " path is in or contains a protected folder of the platform"));
            }
        }
        for (String root : roots) {
            Path r = realOrPlain(Path.of(root));
            if (real.startsWith(r) && !real.equals(r)) {
                return Optional.empty();
            }
        }
        return Optional.of(new Refusal("must be inside a configured " + noun + " root (" + area.key
                + "), symbolic links followed",
                "the " + noun + " path leaves the configured " + noun + " roots"));
    }

    private List<Path> protectedReal() {
        List<Path> all = new ArrayList<>(ALWAYS_PROTECTED);
        protectedPaths.forEach(p -> all.add(realOrPlain(Path.of(p))));
        return all;
    }

    private static Path realOrPlain(Path p) {
        try {
            return realPath(p.toAbsolutePath());
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /**
     * The real path of an absolute path: symbolic links followed; for a path that does not exist
     * (yet), the real path of its nearest existing ancestor plus the rest. Fails on a dangling link.
     */
    static Path realPath(Path absolute) throws IOException {
        Path cur = absolute.normalize();
        Deque<Path> rest = new ArrayDeque<>();
        while (cur.getParent() != null && !Files.exists(cur, LinkOption.NOFOLLOW_LINKS)) {
            rest.push(cur.getFileName());
            cur = cur.getParent();
        }
        Path real = cur.toRealPath();
        for (Path name : rest) {
            real = real.resolve(name);
        }
        return real;
    }

    private static boolean hasDotDot(String raw) {
        return Arrays.asList(raw.split("/")).contains("..");
    }

    private static List<String> clean(List<String> paths) {
        return paths.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    // --- database servers ------------------------------------------------------------------------

    /**
     * At registration: the 400 errors ({@code database.host}, {@code database.port}) for an
     * environment database on {@code host:port}, none when the server is allowed. {@code addressRule}
     * judges each resolved address (the destinations' guard: link-local and metadata addresses).
     */
    public List<Problem.FieldError> databaseServerErrors(String host, int port,
            Function<InetAddress, Optional<String>> addressRule) {
        if (allowedServers.isEmpty()) {
            return List.of(new Problem.FieldError("database.host", "cannot be accepted: no database servers are "
                    + "configured (set ocore.environments.database-servers to host:port of each allowed server)"));
        }
        Set<InetAddress> addresses;
        try {
            addresses = resolve(host);
        } catch (UnknownHostException e) {
            return List.of(new Problem.FieldError("database.host", "does not resolve"));
        }
        for (InetAddress a : addresses) {
            Optional<String> reason = addressRule.apply(a);
            if (reason.isPresent()) {
                return List.of(new Problem.FieldError("database.host", reason.get()));
            }
        }
        for (Server own : ownServers) {
            if (own.port() == port && sameMachine(own.host(), addresses)) {
                return List.of(new Problem.FieldError("database.host",
                        "must not be the platform's own database server"));
            }
        }
        boolean hostKnown = false;
        for (Server allowed : allowedServers) {
            if (sameMachine(allowed.host(), host, addresses)) {
                hostKnown = true;
                if (allowed.port() == port) {
                    return List.of();
                }
            }
        }
        return hostKnown
                ? List.of(new Problem.FieldError("database.port",
                        "is not a configured port of this database server (ocore.environments.database-servers)"))
                : List.of(new Problem.FieldError("database.host",
                        "must be one of the configured database servers (ocore.environments.database-servers)"));
    }

    private static boolean sameMachine(String configured, String requested, Set<InetAddress> requestedAddresses) {
        return unbracket(configured).equalsIgnoreCase(unbracket(requested)) || sameMachine(configured, requestedAddresses);
    }

    /** Whether {@code configured} names one of {@code addresses}; any two addresses of this machine count as the same. */
    private static boolean sameMachine(String configured, Set<InetAddress> addresses) {
        Set<InetAddress> theirs;
        try {
            theirs = resolve(configured);
        } catch (UnknownHostException e) {
            return false;
        }
        for (InetAddress a : addresses) {
            if (theirs.contains(a)) {
                return true;
            }
        }
        return theirs.stream().anyMatch(EnvironmentConfinement::local)
                && addresses.stream().anyMatch(EnvironmentConfinement::local);
    }

    private static boolean local(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private static Set<InetAddress> resolve(String host) throws UnknownHostException {
        return Set.of(InetAddress.getAllByName(unbracket(host)));
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** {@code host:port}, {@code [v6]:port} or a bare host (port 5432). */
    static Server server(String hostPort) {
        String s = hostPort.strip();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            String host = s.substring(1, close);
            String rest = s.substring(close + 1);
            return new Server(host, rest.startsWith(":") ? port(rest.substring(1)) : DEFAULT_PG_PORT);
        }
        int colon = s.lastIndexOf(':');
        if (colon > 0 && s.indexOf(':') == colon) {
            return new Server(s.substring(0, colon).toLowerCase(Locale.ROOT), port(s.substring(colon + 1)));
        }
        return new Server(s.toLowerCase(Locale.ROOT), DEFAULT_PG_PORT);
    }

    private static int port(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ocore.environments.database-servers: '" + s + "' is not a port");
        }
    }

    /** The servers of a PostgreSQL URL: {@code [jdbc:|vertx-reactive:]postgresql://[user@]host[:port][,host[:port]]/db}. */
    static List<Server> serversOfUrl(String url) {
        if (url == null) {
            return List.of();
        }
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return List.of();
        }
        String rest = url.substring(scheme + 3);
        int end = rest.length();
        for (char c : new char[] {'/', '?'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String authority = rest.substring(0, end);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        List<Server> servers = new ArrayList<>();
        for (String hp : authority.split(",")) {
            if (!hp.isBlank()) {
                servers.add(server(hp));
            }
        }
        return servers;
    }
}
