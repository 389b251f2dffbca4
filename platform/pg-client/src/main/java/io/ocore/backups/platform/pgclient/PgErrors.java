package io.ocore.backups.platform.pgclient;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL client errors (libpq's, pg_dump's, pg_restore's, the JDBC driver's) in the words an
 * organisation's user may read: the server's host name, addresses and port replaced by "the
 * environment's database server". Logs keep the original text; backup and restore errors and step
 * messages use this.
 */
public final class PgErrors {

    public static final String SERVER = "the environment's database server";

    /** libpq: {@code connection to server at "h" (1.2.3.4), port 5432 failed}, or on a socket. */
    private static final Pattern LIBPQ = Pattern.compile(
            "(?i)connection to server (?:at \"[^\"]*\"(?: \\([^)]*\\))?, port \\d+|on socket \"[^\"]*\")");
    /** JDBC: {@code Connection to h:5432 refused}, {@code The connection attempt failed} variants. */
    private static final Pattern JDBC = Pattern.compile("(?i)connection to \\S+:\\d+");
    private static final Pattern IPV4 = Pattern.compile("(?<![\\w.])(?:\\d{1,3}\\.){3}\\d{1,3}(?::\\d+)?(?![\\w.])");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\\](?::\\d+)?");
    private static final Pattern PORT = Pattern.compile("(?i),? port \\d+");

    private PgErrors() {
    }

    /** {@code message} without {@code host}, {@code port} or any address literal. */
    public static String hideServer(String message, String host, int port) {
        if (message == null) {
            return null;
        }
        String s = LIBPQ.matcher(message).replaceAll(Matcher.quoteReplacement("connection to " + SERVER));
        s = JDBC.matcher(s).replaceAll(Matcher.quoteReplacement("connection to " + SERVER));
        if (host != null && !host.isBlank()) {
            String h = Pattern.quote(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            s = Pattern.compile("(?i)\"?\\[?(?<![\\w.-])" + h + "(?![\\w-])\\]?\"?(?::" + port + ")?").matcher(s)
                    .replaceAll(Matcher.quoteReplacement(SERVER));
        }
        s = IPV4.matcher(s).replaceAll(Matcher.quoteReplacement(SERVER));
        s = IPV6.matcher(s).replaceAll(Matcher.quoteReplacement(SERVER));
        s = PORT.matcher(s).replaceAll("");
        return s.replace(SERVER + " (" + SERVER + ")", SERVER);
    }
}
