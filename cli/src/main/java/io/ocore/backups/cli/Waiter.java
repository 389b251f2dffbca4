package io.ocore.backups.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ocore.backups.cli.output.Format;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code --wait}: polls a backup or restore until its status is final or the deadline passes,
 * showing progress on stderr (a single redrawn line on a terminal, plain lines otherwise).
 */
public final class Waiter {

    /** Final statuses; {@link #FAILED} ones make the command exit 8. */
    public static final Set<String> FINAL = Set.of("completed", "succeeded", "failed", "cancelled", "canceled",
            Waiter.DELETED);
    /** What {@code backup delete --wait} reports once the backup answers 404 (every copy gone). */
    public static final String DELETED = "deleted";
    public static final Set<String> FAILED = Set.of("failed", "cancelled", "canceled");

    /** Without a terminal, a line when the stage changes and at least this often. */
    private static final Duration PLAIN_EVERY = Duration.ofSeconds(30);
    private static final int BAR_WIDTH = 24;

    /** What one poll says: status, current step or phase, and how far (fraction may be null). */
    public record Progress(String status, String stage, Double fraction, Long bytesDone, Long bytesTotal) {
    }

    private final CliContext ctx;

    public Waiter(CliContext ctx) {
        this.ctx = ctx;
    }

    public static boolean failed(JsonNode node) {
        String status = Json.text(node, "status");
        return status != null && FAILED.contains(status.toLowerCase(Locale.ROOT));
    }

    /**
     * Polls {@code fetch} until a final status; answers the last resource.
     *
     * @param what "backup" or "restore", for messages
     */
    public JsonNode await(String what, String id, Supplier<JsonNode> fetch, Function<JsonNode, Progress> progress,
            Duration timeout) {
        return await(what, id, fetch, progress, timeout, "ocore " + what + " show " + id);
    }

    /** As {@link #await(String, String, Supplier, Function, Duration)}; {@code followUp} is how to look later. */
    public JsonNode await(String what, String id, Supplier<JsonNode> fetch, Function<JsonNode, Progress> progress,
            Duration timeout, String followUp) {
        Instant deadline = ctx.clock().instant().plus(timeout);
        String lastKey = null;
        Instant lastPrinted = null;
        boolean drewBar = false;
        try {
            while (true) {
                JsonNode node = fetch.get();
                Progress p = progress.apply(node);
                String status = p.status() == null ? "unknown" : p.status().toLowerCase(Locale.ROOT);
                if (FINAL.contains(status)) {
                    return node;
                }
                Instant now = ctx.clock().instant();
                if (ctx.stderrTty()) {
                    ctx.eprint("\r" + bar(what, id, status, p) + "\u001b[K");
                    drewBar = true;
                } else {
                    String key = status + "|" + p.stage();
                    if (!key.equals(lastKey) || lastPrinted == null
                            || Duration.between(lastPrinted, now).compareTo(PLAIN_EVERY) >= 0) {
                        ctx.eprintln(line(what, id, status, p));
                        lastKey = key;
                        lastPrinted = now;
                    }
                }
                if (!now.isBefore(deadline)) {
                    throw new CliException(ExitCodes.ERROR, "Timed out after " + Durations.format(timeout)
                            + " waiting for " + what + " " + id + " (still " + status + "); it goes on on the server: "
                            + followUp);
                }
                try {
                    ctx.sleeper().sleep(ctx.pollInterval());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException(ExitCodes.ERROR, "Interrupted while waiting for " + what + " " + id);
                }
            }
        } finally {
            if (drewBar) {
                ctx.eprintln("");
            }
        }
    }

    private static String line(String what, String id, String status, Progress p) {
        StringBuilder text = new StringBuilder(what).append(' ').append(id).append(": ").append(status);
        if (p.stage() != null) {
            text.append(" (").append(p.stage()).append(')');
        }
        if (p.fraction() != null) {
            text.append(' ').append(Math.round(p.fraction() * 100)).append('%');
        }
        appendBytes(text, p);
        return text.toString();
    }

    private static String bar(String what, String id, String status, Progress p) {
        StringBuilder text = new StringBuilder(what).append(' ').append(shortId(id)).append(' ');
        if (p.fraction() != null) {
            double f = Math.max(0, Math.min(1, p.fraction()));
            int filled = (int) Math.round(f * BAR_WIDTH);
            text.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%", Math.round(f * 100)));
        } else {
            text.append(status);
        }
        if (p.stage() != null) {
            text.append("  ").append(p.stage());
        }
        appendBytes(text, p);
        return text.toString();
    }

    private static void appendBytes(StringBuilder text, Progress p) {
        if (p.bytesDone() != null) {
            text.append("  ").append(Format.bytes(p.bytesDone()));
            if (p.bytesTotal() != null && p.bytesTotal() > 0) {
                text.append(" / ").append(Format.bytes(p.bytesTotal()));
            }
        }
    }

    private static String shortId(String id) {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }
}
