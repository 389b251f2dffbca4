package io.ocore.backups.platform.backupformat;

import java.io.IOException;

/** The stored bytes of a component do not hash to the manifest's SHA-256: corrupt or tampered. */
public final class ChecksumMismatchException extends IOException {

    private final String expected;
    private final String actual;

    public ChecksumMismatchException(String expected, String actual) {
        super("SHA-256 mismatch: the manifest says " + expected + ", the stored bytes hash to " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public String expected() {
        return expected;
    }

    public String actual() {
        return actual;
    }
}
