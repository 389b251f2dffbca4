package io.ocore.backups.cli;

import java.io.Console;

/** Asks the user for a value on the terminal; injectable so tests can answer. */
public interface SecretPrompt {

    /** Whether there is a terminal to ask on. */
    boolean available();

    /** Reads a value without echoing it. */
    String readSecret(String prompt);

    /** Reads a value that is not secret (echoed). */
    String readLine(String prompt);

    /** No terminal: every secret has to come from the environment or a file. */
    SecretPrompt NONE = new SecretPrompt() {
        @Override
        public boolean available() {
            return false;
        }

        @Override
        public String readSecret(String prompt) {
            throw new IllegalStateException("no terminal");
        }

        @Override
        public String readLine(String prompt) {
            throw new IllegalStateException("no terminal");
        }
    };

    /** The process's console, if it has one. */
    static SecretPrompt system() {
        Console console = terminal();
        if (console == null) {
            return NONE;
        }
        return new SecretPrompt() {
            @Override
            public boolean available() {
                return true;
            }

            @Override
            public String readSecret(String prompt) {
                char[] value = console.readPassword("%s", prompt);
                return value == null ? null : new String(value);
            }

            @Override
            public String readLine(String prompt) {
                return console.readLine("%s", prompt);
            }
        };
    }

    /**
     * The console when stdin and stdout are a terminal. From JDK 22 {@code System.console()} may
     * answer a console for redirected streams too; {@code Console.isTerminal()} (22+, called
     * reflectively as we compile for 21) tells them apart.
     */
    static Console terminal() {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            Object isTerminal = Console.class.getMethod("isTerminal").invoke(console);
            return Boolean.TRUE.equals(isTerminal) ? console : null;
        } catch (ReflectiveOperationException beforeJdk22) {
            return console;
        }
    }
}
