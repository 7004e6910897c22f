package io.authservice.core;

/** Small helpers for echoing untrusted text back in messages. */
public final class Text {
    private static final int MAX_ECHO = 64;

    private Text() {
    }

    /** A value safe to put in a message: control characters replaced, cut to a readable length. */
    public static String printable(String value) {
        final StringBuilder out = new StringBuilder();
        value.codePoints().limit(MAX_ECHO).forEach(cp ->
                out.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        if (value.codePointCount(0, value.length()) > MAX_ECHO) {
            out.append('…');
        }
        return out.toString();
    }

    /** True if the value contains a control character (newline, tab, NUL, ...). */
    public static boolean hasControlCharacters(String value) {
        return value.codePoints().anyMatch(Character::isISOControl);
    }
}
