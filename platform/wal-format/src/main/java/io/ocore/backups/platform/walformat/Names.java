package io.ocore.backups.platform.walformat;

/** Small text helpers shared by the parsers: excerpts of untrusted text safe to put in a message. */
final class Names {

  private Names() {}

  /** At most 60 characters of {@code text}, control characters replaced by '?'. */
  static String excerpt(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), 63));
    for (int i = 0; i < text.length() && i < 60; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    if (text.length() > 60) {
      out.append("...");
    }
    return out.toString();
  }
}
