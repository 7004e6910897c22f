package io.authservice.auditquery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A time range cut into the parts each kept count can answer exactly: the whole units (UTC) of the
 * widest count, then, at either end, the whole units of the next, down to the events themselves for
 * what is left. A week from mid-afternoon is six whole days, then hours, minutes and seconds at the ends.
 */
final class Segments {
    private Segments() {
    }

    /** One part: read from the count of {@code unit} (null: the events) over [from, to). */
    record Segment(Duration unit, Instant from, Instant to) {
        boolean events() {
            return unit == null;
        }
    }

    /**
     * @param units widest first, each a whole number of the next (e.g. an hour, a minute); none: one
     *              segment of events
     * @return the parts in time order, none empty; an empty range is one (empty) segment of events
     */
    static List<Segment> of(Instant from, Instant to, List<Duration> units) {
        final List<Segment> parts = new ArrayList<>();
        split(from, to, units, parts);
        if (parts.isEmpty()) {
            parts.add(new Segment(null, from, to));
        }
        return parts;
    }

    private static void split(Instant from, Instant to, List<Duration> units, List<Segment> parts) {
        if (!from.isBefore(to)) {
            return;
        }
        if (units.isEmpty()) {
            parts.add(new Segment(null, from, to));
            return;
        }
        final Duration unit = units.get(0);
        final List<Duration> finer = units.subList(1, units.size());
        final Instant lo = ceil(from, unit);
        final Instant hi = floor(to, unit);
        if (!lo.isBefore(hi)) {
            split(from, to, finer, parts);
            return;
        }
        split(from, lo, finer, parts);
        parts.add(new Segment(unit, lo, hi));
        split(hi, to, finer, parts);
    }

    static Instant floor(Instant at, Duration unit) {
        final long width = unit.toSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), width) * width);
    }

    static Instant ceil(Instant at, Duration unit) {
        final Instant floor = floor(at, unit);
        return floor.equals(at) ? at : floor.plus(unit);
    }
}
