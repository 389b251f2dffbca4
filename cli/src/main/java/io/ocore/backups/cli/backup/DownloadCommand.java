package io.ocore.backups.cli.backup;

import static io.ocore.backups.cli.http.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ocore.backups.cli.ApiCommand;
import io.ocore.backups.cli.CliException;
import io.ocore.backups.cli.ExitCodes;
import io.ocore.backups.cli.Json;
import io.ocore.backups.cli.output.Format;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ocore backup download BACKUP --to DIR}: the usable plain files of a completed backup
 * ({@code database.dump}, {@code filestore.tar}, {@code config.tar}). backup-service verifies,
 * decrypts and decompresses ({@code GET /api/backups/{id}/components/{c}?trailer=sha256}): no key
 * or destination credential ever reaches the CLI. The body ends with
 * {@code OCORE-SHA256:<hex>\n}, the server's SHA-256 of the plain bytes, which the CLI compares
 * with its own; a file is written as {@code NAME.part} and renamed only once it verified.
 */
@Command(name = "download",
        description = "Download a completed backup's components, verified and decrypted by the server, into a folder.")
public class DownloadCommand extends ApiCommand {

    static final String TRAILER_PREFIX = "OCORE-SHA256:";
    static final int TRAILER_BYTES = TRAILER_PREFIX.length() + 64 + 1;
    static final List<String> COMPONENTS = List.of("database", "filestore", "config", "base");
    private static final Duration PLAIN_EVERY = Duration.ofSeconds(30);
    private static final int BAR_WIDTH = 24;

    @Parameters(paramLabel = "BACKUP", description = "Backup id.")
    String id;

    @Option(names = "--component", paramLabel = "NAME",
            description = "database, filestore, config or base (the PITR base's base.tar; default: every component"
                    + " the backup has).")
    String component;

    @Option(names = "--destination", paramLabel = "DEST_ID",
            description = "Read the copy on this destination (default: the first that answers).")
    String destination;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "Folder to write into (created).")
    Path to;

    @Option(names = "--force", description = "Overwrite files that already exist in DIR.")
    boolean force;

    static String fileName(String component) {
        return switch (component) {
            case "database" -> "database.dump";
            case "filestore" -> "filestore.tar";
            case "base" -> "base.tar";
            default -> "config.tar";
        };
    }

    @Override
    protected int run() {
        oneOf("--component", component, COMPONENTS);
        List<String> wanted;
        if (component != null) {
            wanted = List.of(component);
        } else {
            JsonNode backup = api().get("/api/backups/" + seg(id));
            if (!"completed".equals(Json.text(backup, "status"))) {
                throw new CliException(ExitCodes.CONFLICT, "Backup " + id + " is " + Json.text(backup, "status")
                        + "; only a completed backup can be downloaded");
            }
            // every component it holds: a checksum recorded (a db backup has no filestore or config, a base only with WAL)
            JsonNode sums = backup.path("checksums");
            wanted = COMPONENTS.stream().filter(c -> sums.hasNonNull(c)).toList();
            if (wanted.isEmpty()) {
                wanted = "db".equals(Json.text(backup, "backupType")) ? List.of("database")
                        : List.of("database", "filestore", "config");
            }
        }
        try {
            Files.createDirectories(to);
        } catch (IOException e) {
            throw CliException.usage("Cannot create " + to + ": " + e.getMessage());
        }
        for (String c : wanted) {
            Path target = to.resolve(fileName(c));
            if (Files.exists(target) && !force) {
                throw CliException.usage(target + " already exists (use --force to overwrite)");
            }
        }
        List<Map<String, Object>> files = new ArrayList<>();
        long total = 0;
        for (String c : wanted) {
            Map<String, Object> f = downloadOne(c);
            files.add(f);
            total += (Long) f.get("bytes");
        }
        if (out().json()) {
            ObjectNode summary = Json.object();
            summary.put("backupId", id);
            ArrayNode list = summary.putArray("files");
            for (Map<String, Object> f : files) {
                ObjectNode n = list.addObject();
                n.put("component", (String) f.get("component"));
                n.put("path", (String) f.get("path"));
                n.put("bytes", (Long) f.get("bytes"));
                n.put("sha256", (String) f.get("sha256"));
            }
            summary.put("bytes", total);
            if (files.size() == 1) {
                summary.put("sha256", (String) files.get(0).get("sha256"));
            }
            out().printJson(summary);
        } else {
            for (Map<String, Object> f : files) {
                ctx().println(f.get("path") + "  " + Format.bytes((Long) f.get("bytes")) + "  sha256:" + f.get("sha256"));
            }
        }
        return ExitCodes.OK;
    }

    private Map<String, Object> downloadOne(String c) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("trailer", "sha256");
        query.put("destinationId", destination);
        HttpResponse<InputStream> response = api().stream("/api/backups/" + seg(id) + "/components/" + c, query);
        Long expectedBytes = response.headers().firstValue("X-Ocore-Raw-Bytes").map(DownloadCommand::parseLong)
                .orElse(null);
        Path target = to.resolve(fileName(c));
        Path part = to.resolve(fileName(c) + ".part");
        Progress progress = new Progress(c, expectedBytes);
        long written;
        String actual;
        try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(part)) {
            MessageDigest digest = sha256();
            // The last TRAILER_BYTES of the body are the trailer, not data: keep them back.
            byte[] buf = new byte[256 * 1024 + TRAILER_BYTES];
            int held = 0;
            written = 0;
            while (true) {
                int n = in.read(buf, held, buf.length - held);
                if (n < 0) {
                    break;
                }
                held += n;
                int flush = held - TRAILER_BYTES;
                if (flush > 0) {
                    out.write(buf, 0, flush);
                    digest.update(buf, 0, flush);
                    written += flush;
                    System.arraycopy(buf, flush, buf, 0, TRAILER_BYTES);
                    held = TRAILER_BYTES;
                    progress.update(written);
                }
            }
            String trailer = held == TRAILER_BYTES ? new String(buf, 0, held, StandardCharsets.US_ASCII) : "";
            if (!trailer.startsWith(TRAILER_PREFIX) || !trailer.endsWith("\n")) {
                throw new CliException(ExitCodes.ERROR, "Download of " + c + " of backup " + id
                        + " ended without the server's checksum (" + written + " bytes received): incomplete; "
                        + "the server log says why");
            }
            String expected = trailer.substring(TRAILER_PREFIX.length(), TRAILER_BYTES - 1).toLowerCase(Locale.ROOT);
            actual = HexFormat.of().formatHex(digest.digest());
            if (!expected.equals(actual)) {
                throw new CliException(ExitCodes.ERROR, "Checksum mismatch for " + c + " of backup " + id
                        + ": the server sent sha256 " + expected + ", the " + written + " bytes received hash to "
                        + actual + "; nothing was kept");
            }
            if (expectedBytes != null && expectedBytes != written) {
                throw new CliException(ExitCodes.ERROR, "Size mismatch for " + c + " of backup " + id + ": expected "
                        + expectedBytes + " bytes, received " + written + "; nothing was kept");
            }
        } catch (IOException e) {
            progress.done();
            deleteQuietly(part);
            throw new CliException(ExitCodes.ERROR, "Download of " + c + " of backup " + id + " failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "; nothing was kept");
        } catch (RuntimeException e) {
            progress.done();
            deleteQuietly(part);
            throw e;
        }
        progress.done();
        try {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(part);
            throw new CliException(ExitCodes.ERROR, "Cannot write " + target + ": " + e.getMessage());
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("component", c);
        f.put("path", target.toString());
        f.put("bytes", written);
        f.put("sha256", actual);
        return f;
    }

    /** stderr: a redrawn bar on a terminal; otherwise a line at most every 30 s and one at the end. */
    private final class Progress {
        private final String component;
        private final Long total;
        private Instant lastPrinted = ctx().clock().instant();
        private long bytes;
        private boolean drew;
        private long lastDrawMs;

        Progress(String component, Long total) {
            this.component = component;
            this.total = total == null || total <= 0 ? null : total;
        }

        void update(long done) {
            bytes = done;
            if (ctx().stderrTty()) {
                long now = System.currentTimeMillis();
                if (now - lastDrawMs >= 100) {
                    lastDrawMs = now;
                    ctx().eprint("\r" + line() + "\u001b[K");
                    drew = true;
                }
            } else {
                Instant now = ctx().clock().instant();
                if (Duration.between(lastPrinted, now).compareTo(PLAIN_EVERY) >= 0) {
                    ctx().eprintln(line());
                    lastPrinted = now;
                }
            }
        }

        void done() {
            if (ctx().stderrTty()) {
                if (drew) {
                    ctx().eprint("\r" + line() + "\u001b[K");
                }
                ctx().eprintln("");
            } else {
                ctx().eprintln(line());
            }
        }

        private String line() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-9s ", component));
            if (total != null) {
                double f = Math.max(0, Math.min(1, (double) bytes / total));
                int filled = (int) Math.round(f * BAR_WIDTH);
                s.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ")
                        .append(String.format(Locale.ROOT, "%3d%%", Math.round(f * 100))).append("  ")
                        .append(Format.bytes(bytes)).append(" / ").append(Format.bytes(total));
            } else {
                s.append(Format.bytes(bytes));
            }
            return s.toString();
        }
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
