package io.ocore.backups.platform.walformat;

/**
 * A WAL file (segment, {@code .history}, {@code .backup}) that is not what its name says or not
 * PostgreSQL 15 WAL at all. The message is safe to show a user: it says what is wrong and where
 * (e.g. {@code page 3: address 0/2006000 where 0/3006000 was expected}), never file content beyond
 * a short, sanitised excerpt.
 */
public final class InvalidWalException extends Exception {

  private static final long serialVersionUID = 1L;

  public InvalidWalException(String message) {
    super(message);
  }
}
