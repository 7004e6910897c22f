package io.authservice.observability;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
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
     * A random (version 4) UUID. Its bits come from the thread's own {@link ThreadLocalRandom}
     * rather than {@link UUID#randomUUID()}'s shared SecureRandom: a correlation id must be unique,
     * not secret, and must not make requests queue on one lock.
     */
    static String generate() {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        final long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(high, low).toString();
    }
}
