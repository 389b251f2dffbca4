package io.ocore.backups.platform.pgclient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains a program's standard error on its own thread (so the program never blocks on a full
 * pipe), keeping only the last few KiB, whose last line is what a failure reports.
 */
public final class StderrTail {

    static final int KEEP = 4096;

    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    private final Thread reader;

    private StderrTail(InputStream stderr, String threadName) {
        this.reader = Thread.ofPlatform().daemon().name(threadName).start(() -> drain(stderr));
    }

    /** Starts draining {@code process}'s standard error. */
    public static StderrTail of(Process process, String programName) {
        return new StderrTail(process.getErrorStream(), programName + "-stderr");
    }

    static StderrTail of(InputStream stderr) {
        return new StderrTail(stderr, "stderr");
    }

    /** Waits (bounded) for the program's error output to end, after the program exited. */
    public void await(long millis) throws InterruptedException {
        reader.join(millis);
    }

    /** The last few KiB the program wrote to standard error, stripped ("" when nothing). */
    public String text() {
        synchronized (sink) {
            return sink.toString(StandardCharsets.UTF_8).strip();
        }
    }

    /** The last non-empty line the program wrote to standard error, or "no error output". */
    public String lastLine() {
        String s;
        synchronized (sink) {
            s = sink.toString(StandardCharsets.UTF_8).strip();
        }
        if (s.isEmpty()) {
            return "no error output";
        }
        String[] lines = s.split("\n");
        return lines[lines.length - 1].strip();
    }

    private void drain(InputStream in) {
        byte[] buf = new byte[1024];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (sink) {
                    if (sink.size() > KEEP) {
                        byte[] keep = sink.toByteArray();
                        sink.reset();
                        sink.write(keep, keep.length - KEEP / 2, KEEP / 2);
                    }
                    sink.write(buf, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the program ended
        }
    }
}
