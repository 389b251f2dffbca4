package io.ocore.backups.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI in-process with a fake environment, prompt and clock; captures its output. */
final class CliRunner {

    record Result(int exitCode, String out, String err) {
    }

    final Map<String, String> env = new HashMap<>();
    final Path home;
    final FakePrompt prompt = new FakePrompt();
    final MutableClock clock = new MutableClock();
    boolean stderrTty;
    int sleeps;

    CliRunner(Path home) {
        this.home = home;
    }

    /** Points the CLI at the gateway through OCORE_URL and sets a token. */
    CliRunner against(FakeGateway gateway) {
        env.put("OCORE_URL", gateway.url());
        env.put("OCORE_TOKEN", "test-token-123");
        return this;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext ctx = CliContext.builder()
                .env(env)
                .home(home)
                .out(new PrintWriter(out, true))
                .err(new PrintWriter(err, true))
                .prompt(prompt)
                .stderrTty(stderrTty)
                .clock(clock)
                .pollInterval(Duration.ofSeconds(2))
                .sleeper(duration -> {
                    sleeps++;
                    clock.advance(duration);
                })
                .build();
        int code = OcoreCli.run(ctx, args);
        return new Result(code, out.toString(), err.toString());
    }

    /** A terminal that answers queued values. */
    static final class FakePrompt implements SecretPrompt {
        boolean available;
        final Deque<String> answers = new ArrayDeque<>();
        final StringBuilder asked = new StringBuilder();

        @Override
        public boolean available() {
            return available;
        }

        @Override
        public String readSecret(String prompt) {
            asked.append("secret:").append(prompt).append('\n');
            return answers.poll();
        }

        @Override
        public String readLine(String prompt) {
            asked.append("line:").append(prompt).append('\n');
            return answers.poll();
        }
    }

    /** A clock that only moves when the CLI "sleeps". */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-03-15T14:30:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
