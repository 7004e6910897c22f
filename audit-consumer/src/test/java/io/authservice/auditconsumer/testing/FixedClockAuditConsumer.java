package io.authservice.auditconsumer.testing;

import io.authservice.auditconsumer.AuditConsumerApplication;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The real audit-consumer on a clock that stands still at {@link #NOW}: what it measures by time
 * (retention, seals, its threads' last poll) is measured from there, so no test reads the wall clock.
 */
public class FixedClockAuditConsumer extends AuditConsumerApplication {
    /** Where the consumer's clock stands. */
    public static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    /** The consumer's clock, for a test's own times. */
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Override
    protected Clock clock() {
        return CLOCK;
    }
}
