package io.authservice.core;

import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The scopes an API key can hold; each internal endpoint requires one. */
public final class Scopes {
    /** {@code GET /api/v1/users/internal/{id}/}. */
    public static final String USERS_READ = "users:read";
    /** {@code GET /api/v1/hdts/employees/internal/{id}/}. */
    public static final String EMPLOYEES_READ = "employees:read";
    /** {@code /api/v1/tts/users-info/}. */
    public static final String USERS_INFO_READ = "users-info:read";
    /** The audit trail's query API. */
    public static final String AUDIT_READ = "audit:read";
    /** Changes keys through the keys API ({@code POST /api/v1/keys/{id}/deactivate/}), e.g. an incident playbook. */
    public static final String KEYS_WRITE = "keys:write";

    /** Every scope that reads the internal directory endpoints: the default for a new key. */
    public static final Set<String> INTERNAL_READ = Set.of(USERS_READ, EMPLOYEES_READ, USERS_INFO_READ);

    public static final Set<String> ALL = Set.of(USERS_READ, EMPLOYEES_READ, USERS_INFO_READ, AUDIT_READ, KEYS_WRITE);

    /** For messages: the known scopes, sorted, comma-separated. */
    public static final String KNOWN_LIST = "audit:read, employees:read, keys:write, users-info:read, users:read";

    private Scopes() {
    }

    /**
     * Parses a comma-separated list ("users:read, employees:read"); blanks are ignored.
     *
     * @throws InvalidInputException naming the first unknown scope
     */
    public static SortedSet<String> parse(String commaSeparated) {
        return validate(Arrays.asList(commaSeparated.split(",")));
    }

    /** Checks that every (trimmed, non-blank) entry is a known scope and returns them sorted. */
    public static SortedSet<String> validate(Collection<String> scopes) {
        final SortedSet<String> result = new TreeSet<>();
        for (String raw : scopes) {
            final String scope = raw == null ? "" : raw.trim();
            if (scope.isEmpty()) {
                continue;
            }
            if (!ALL.contains(scope)) {
                throw new InvalidInputException("unknown scope '" + Text.printable(scope) + "'; known scopes: " + KNOWN_LIST);
            }
            result.add(scope);
        }
        return result;
    }

    /** The stored form: sorted, comma-separated. */
    public static String format(Collection<String> scopes) {
        return scopes.stream().sorted().collect(Collectors.joining(","));
    }
}
