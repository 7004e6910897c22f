package io.authservice.observability;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Takes credentials out of a request's path and query string before they are logged: the value of
 * every query parameter named like a credential ({@link #CREDENTIAL_PARAMETERS}, in any case, also
 * percent-encoded), and every run of 40 or more hex digits anywhere (the form of an API key).
 * Each is replaced by {@link #REDACTED}; everything else is kept as it was sent.
 */
public final class UriRedaction {
    public static final String REDACTED = "REDACTED";
    /** Query parameter names whose values are never logged, compared in lower case. */
    public static final Set<String> CREDENTIAL_PARAMETERS = Set.of("api_key", "apikey", "key", "x-api-key", "token",
            "access_token", "refresh", "refresh_token", "password");
    private static final Pattern KEY_LIKE = Pattern.compile("(?<![0-9A-Fa-f])[0-9A-Fa-f]{40,}(?![0-9A-Fa-f])");

    private UriRedaction() {
    }

    /** The path with every key-like hex run replaced; null stays null. */
    public static String path(String path) {
        return path == null ? null : KEY_LIKE.matcher(path).replaceAll(REDACTED);
    }

    /** The query string with credential values and key-like hex runs replaced; null stays null. */
    public static String query(String query) {
        if (query == null || query.isEmpty()) {
            return query;
        }
        final StringBuilder redacted = new StringBuilder(query.length());
        for (String pair : query.split("&", -1)) {
            if (!redacted.isEmpty()) {
                redacted.append('&');
            }
            final int equals = pair.indexOf('=');
            final String name = equals < 0 ? pair : pair.substring(0, equals);
            if (equals >= 0 && CREDENTIAL_PARAMETERS.contains(decode(name).toLowerCase(Locale.ROOT))) {
                redacted.append(name).append('=').append(REDACTED);
            } else {
                redacted.append(KEY_LIKE.matcher(pair).replaceAll(REDACTED));
            }
        }
        return redacted.toString();
    }

    private static String decode(String name) {
        try {
            return URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return name;
        }
    }
}
