package io.ocore.backups.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the CLI takes from the process it runs in: environment, home directory,
 * terminal, streams and time. Tests build one with canned values; {@link #system()} is the
 * real thing.
 */
public final class CliContext {

    /** How often {@code --wait} polls. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

    /** Sleeps between polls; tests pass one that returns at once (and may advance a clock). */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Map<String, String> env;
    private final Path home;
    private final PrintWriter out;
    private final PrintWriter err;
    private final SecretPrompt prompt;
    private final boolean stderrTty;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration pollInterval;
    private final HttpClient httpClient;
    private final Redactor redactor = new Redactor();

    private CliContext(Builder b) {
        this.env = Map.copyOf(b.env);
        this.home = b.home;
        this.out = b.out;
        this.err = b.err;
        this.prompt = b.prompt;
        this.stderrTty = b.stderrTty;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.pollInterval = b.pollInterval;
        this.httpClient = b.httpClient;
    }

    /** The real process: System.getenv, user.home, stdout/stderr, the console. */
    public static CliContext system() {
        // The launcher knows whether stderr is a terminal ([ -t 2 ]); Java 21 cannot tell.
        String tty = System.getProperty("ocore.stderr.tty");
        boolean stderrTty = tty != null ? Boolean.parseBoolean(tty) : SecretPrompt.terminal() != null;
        return builder()
                .env(System.getenv())
                .home(Path.of(System.getProperty("user.home")))
                .out(new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true))
                .err(new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true))
                .prompt(SecretPrompt.system())
                .stderrTty(stderrTty)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String env(String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    public Path home() {
        return home;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    public SecretPrompt prompt() {
        return prompt;
    }

    public boolean stderrTty() {
        return stderrTty;
    }

    public Clock clock() {
        return clock;
    }

    public Sleeper sleeper() {
        return sleeper;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    public HttpClient httpClient() {
        return httpClient;
    }

    public Redactor redactor() {
        return redactor;
    }

    /** Prints a line on stdout, secrets masked. */
    public void println(String line) {
        out.println(redactor.redact(line));
        out.flush();
    }

    /** Prints a line on stderr, secrets masked. */
    public void eprintln(String line) {
        err.println(redactor.redact(line));
        err.flush();
    }

    /** Prints on stderr without a newline (the progress bar), secrets masked. */
    public void eprint(String text) {
        err.print(redactor.redact(text));
        err.flush();
    }

    public static final class Builder {
        private Map<String, String> env = Map.of();
        private Path home = Path.of(System.getProperty("user.home"));
        private PrintWriter out;
        private PrintWriter err;
        private SecretPrompt prompt = SecretPrompt.NONE;
        private boolean stderrTty;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = duration -> Thread.sleep(duration.toMillis());
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private HttpClient httpClient;

        public Builder env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        public Builder out(PrintWriter out) {
            this.out = out;
            return this;
        }

        public Builder err(PrintWriter err) {
            this.err = err;
            return this;
        }

        public Builder prompt(SecretPrompt prompt) {
            this.prompt = prompt;
            return this;
        }

        public Builder stderrTty(boolean stderrTty) {
            this.stderrTty = stderrTty;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = sleeper;
            return this;
        }

        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
            return this;
        }

        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        public CliContext build() {
            if (out == null) {
                out = new PrintWriter(System.out, true);
            }
            if (err == null) {
                err = new PrintWriter(System.err, true);
            }
            if (httpClient == null) {
                httpClient = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .build();
            }
            return new CliContext(this);
        }
    }
}
