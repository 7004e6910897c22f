package io.authservice.core;

import java.util.regex.Pattern;

/** Checks of the text fields of users and employees; messages name the field (and the CSV line). */
final class Fields {
    private static final Pattern USERNAME = Pattern.compile("[\\w.@+-]+", Pattern.UNICODE_CHARACTER_CLASS);
    // deliberately loose, as Django's EmailValidator is in practice: one @, something on each side, no spaces
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

    private Fields() {
    }

    /** Django's username rule: 1-150 letters, digits and {@code @ . + - _}. */
    static String username(String raw, String where) {
        final String value = required(raw, "username", 150, where);
        if (!USERNAME.matcher(value).matches()) {
            throw new InvalidInputException(where + "'username' may contain only letters, digits and @ . + - _");
        }
        return value;
    }

    /** An email address, or '' when blank and {@code required} is false. */
    static String email(String raw, boolean required, String where) {
        final String value = required ? required(raw, "email", 254, where) : optional(raw, "email", 254, where);
        if (!value.isEmpty() && !EMAIL.matcher(value).matches()) {
            throw new InvalidInputException(where + "'email' is not an email address: '" + Text.printable(value) + "'");
        }
        return value;
    }

    /** Trimmed, non-blank, at most {@code max} characters, no control characters. */
    static String required(String raw, String field, int max, String where) {
        final String value = optional(raw, field, max, where);
        if (value.isEmpty()) {
            throw new InvalidInputException(where + "'" + field + "' is required");
        }
        return value;
    }

    /** Trimmed (null means ''), at most {@code max} characters, no control characters. */
    static String optional(String raw, String field, int max, String where) {
        final String value = raw == null ? "" : raw.trim();
        if (value.length() > max) {
            throw new InvalidInputException(where + "'" + field + "' must be at most " + max + " characters");
        }
        if (Text.hasControlCharacters(value)) {
            throw new InvalidInputException(where + "'" + field + "' must not contain control characters");
        }
        return value;
    }

    /** "line 7: " for a CSV row, "" otherwise. */
    static String where(int line) {
        return line > 0 ? "line " + line + ": " : "";
    }
}
