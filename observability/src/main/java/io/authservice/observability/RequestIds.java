package io.authservice.observability;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A request's correlation id: the caller's {@value #HEADER} when it is a sane token, else a new one.
 * Sane means 1 to 128 of {@code [A-Za-z0-9._:-]}: enough for UUIDs, ULIDs and tracing ids, and nothing
 * that could forge a log line, break a header or carry a payload into the audit trail. Anything else
 * is replaced, never echoed.
 */
public final class RequestIds {
    /** The request and response header. */
    public static final String HEADER = "X-Request-Id";
    /** The SLF4J MDC key under which a request's log lines carry the id. */
    public static final String MDC_KEY = "requestId";

    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {
    }

    /** The id for a request that presented {@code presented} (null when it sent none). */
    public static String accept(String presented) {
        return presented != null && SANE.matcher(presented).matches() ? presented : generate();
    }

    /**
     * A random (version 4) UUID from the JDK's {@link UUID#randomUUID()}: the version and variant bits
     * are the library's business, not ours.
     */
    static String generate() {
        return UUID.randomUUID().toString();
    }
}
