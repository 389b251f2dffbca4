package io.ocore.backups.securitysuite;

import java.io.PrintStream;

/** One line per check, {@code PASS ...} or {@code FAIL ...} with what was seen, and the final tally. */
final class Report {

    private final PrintStream out;
    private int passed;
    private int failed;

    Report(PrintStream out) {
        this.out = out;
    }

    /** Records one check: {@code seen} says what the stack answered (a status, a field). */
    synchronized boolean check(boolean ok, String what, String seen) {
        if (ok) {
            passed++;
        } else {
            failed++;
        }
        out.println((ok ? "PASS " : "FAIL ") + what + " (" + seen + ")");
        out.flush();
        return ok;
    }

    /** A line that is not a check: a group heading or a detail of the check above it. */
    synchronized void note(String text) {
        out.println("  " + text);
        out.flush();
    }

    synchronized void heading(String text) {
        out.println("== " + text);
        out.flush();
    }

    synchronized int failed() {
        return failed;
    }

    synchronized String summary() {
        return "security-suite: " + passed + " passed, " + failed + " failed";
    }
}
