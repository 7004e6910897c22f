package io.authservice.auditquery;

import io.authservice.core.InvalidInputException;
import io.authservice.core.Text;

import java.util.List;
import java.util.Locale;

/** How a search answers: a JSON page, or a CSV or NDJSON export. */
public enum AuditFormat {
    json("application/json"),
    csv("text/csv"),
    ndjson("application/x-ndjson");

    private final String mediaType;

    AuditFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /** Whether an absent {@code limit} means every matching event (exports) rather than one page. */
    public boolean exports() {
        return this != json;
    }

    /**
     * The format named by {@code format=}, else the first of CSV and NDJSON the Accept header names,
     * else JSON.
     */
    public static AuditFormat choose(String parameter, List<String> accepted) {
        if (parameter != null && !parameter.isEmpty()) {
            try {
                return valueOf(parameter.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("'format': '" + Text.printable(parameter) + "' is not one of json, csv, ndjson");
            }
        }
        for (String type : accepted) {
            for (AuditFormat format : List.of(csv, ndjson)) {
                if (type.toLowerCase(Locale.ROOT).startsWith(format.mediaType)) {
                    return format;
                }
            }
        }
        return json;
    }
}
