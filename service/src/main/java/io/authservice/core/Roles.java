package io.authservice.core;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A user's roles ({@link #ADMIN} and {@link #SECURITY} mean something here; others are kept for
 * downstream systems): names of letters, digits and {@code _ . : -} (at most 64 characters each),
 * stored sorted and comma-separated in at most 500 characters.
 */
public final class Roles {
    /** May read any user's details through {@code GET /api/v1/users/{id}/}. */
    public static final String ADMIN = "admin";
    /** The security team: reads the audit trail. */
    public static final String SECURITY = "security";
    /** The roles the service itself gives meaning to; others may be stored for downstream systems. */
    public static final java.util.Set<String> KNOWN = java.util.Set.of(ADMIN, SECURITY);

    public static final int MAX_STORED_LENGTH = 500;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private Roles() {
    }

    /** Parses a list separated by {@code separator} (blanks ignored) and checks it. */
    public static List<String> parse(String raw, char separator, String where) {
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        return validate(Arrays.asList(raw.split(Pattern.quote(String.valueOf(separator)))), where);
    }

    /** Checks every (trimmed, non-blank) role name and returns them sorted, without duplicates. */
    public static List<String> validate(Collection<String> roles, String where) {
        if (roles == null) {
            return List.of();
        }
        final SortedSet<String> result = new TreeSet<>();
        for (String raw : roles) {
            final String role = raw == null ? "" : raw.trim();
            if (role.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(role).matches()) {
                throw new InvalidInputException(where + "'roles': '" + Text.printable(role)
                        + "' is not a role name (letters, digits and _ . : - only, at most 64 characters)");
            }
            result.add(role);
        }
        if (format(result).length() > MAX_STORED_LENGTH) {
            throw new InvalidInputException(where + "'roles': too many roles (at most " + MAX_STORED_LENGTH
                    + " characters in all)");
        }
        return List.copyOf(result);
    }

    /** The stored form: sorted, comma-separated. */
    public static String format(Collection<String> roles) {
        return String.join(",", new TreeSet<>(roles));
    }

    /** Reads the stored form. */
    public static List<String> fromStored(String stored) {
        if (stored == null || stored.isEmpty()) {
            return List.of();
        }
        return List.copyOf(new TreeSet<>(Arrays.asList(stored.split(","))));
    }
}
