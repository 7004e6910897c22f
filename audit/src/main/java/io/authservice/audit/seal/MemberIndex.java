package io.authservice.audit.seal;

import java.util.Arrays;

/**
 * Event id (two longs) to an int, open addressing with linear probing in three flat arrays: a
 * million members cost about 40 MB and no object each, where a {@code HashMap<UUID, Long>} costs
 * three objects an entry. A second {@link #put} of an id replaces its value.
 */
final class MemberIndex {
    private static final int EMPTY = -1;
    private final long[] most;
    private final long[] least;
    private final int[] values;
    private final int mask;

    /** Room for {@code expected} ids at a load of at most one half. */
    MemberIndex(int expected) {
        final int capacity = Integer.highestOneBit(Math.max(2, expected) * 2 - 1) << 1;
        most = new long[capacity];
        least = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, EMPTY);
        mask = capacity - 1;
    }

    /** @param value not negative */
    void put(long msb, long lsb, int value) {
        int at = slot(msb, lsb);
        while (values[at] != EMPTY && (most[at] != msb || least[at] != lsb)) {
            at = (at + 1) & mask;
        }
        most[at] = msb;
        least[at] = lsb;
        values[at] = value;
    }

    /** The id's value, or -1 when it was not put. */
    int get(long msb, long lsb) {
        int at = slot(msb, lsb);
        while (values[at] != EMPTY) {
            if (most[at] == msb && least[at] == lsb) {
                return values[at];
            }
            at = (at + 1) & mask;
        }
        return EMPTY;
    }

    private int slot(long msb, long lsb) {
        long h = (msb ^ Long.rotateLeft(lsb, 29)) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 31;
        return (int) h & mask;
    }
}
