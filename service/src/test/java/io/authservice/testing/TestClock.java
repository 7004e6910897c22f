package io.authservice.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock the test sets: it stands still at its start ({@link #START} unless given) until the test
 * {@link #advance advances} or {@link #set sets} it, so no test reads the wall clock.
 * {@link #fromSystem()} is the one exception, for a running service, whose database, threads and
 * clients live in real time: it is the system clock plus whatever the test has advanced it by.
 */
public final class TestClock extends Clock {
    /** Where a new test clock stands. */
    public static final Instant START = Instant.parse("2026-06-01T12:00:00Z");

    private final Clock base;
    private final Instant start;
    private final AtomicReference<Instant> fixed;
    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    private TestClock(Clock base, Instant start) {
        this.base = base;
        this.start = start;
        this.fixed = new AtomicReference<>(start);
    }

    /** A clock standing at {@link #START}. */
    public TestClock() {
        this(START);
    }

    /** A clock standing at {@code start}. */
    public TestClock(Instant start) {
        this(null, start);
    }

    /**
     * The system clock moved by what the test advances: for a whole running service only (see the
     * class comment); {@link #set} is refused.
     */
    public static TestClock fromSystem() {
        return new TestClock(Clock.systemUTC(), null);
    }

    public void advance(Duration by) {
        if (base == null) {
            fixed.updateAndGet(current -> current.plus(by));
        } else {
            offset.updateAndGet(current -> current.plus(by));
        }
    }

    public void set(Instant at) {
        if (base != null) {
            throw new UnsupportedOperationException("a clock that follows the system clock can only be advanced");
        }
        fixed.set(at);
    }

    /** Back to where it started (or to the system clock). */
    public void reset() {
        fixed.set(start);
        offset.set(Duration.ZERO);
    }

    @Override
    public Instant instant() {
        return base == null ? fixed.get() : base.instant().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the test clock is UTC only");
    }
}
