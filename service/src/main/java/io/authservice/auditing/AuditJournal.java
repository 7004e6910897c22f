package io.authservice.auditing;

import com.codahale.metrics.MetricRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The service's write-ahead log of audit events: append-only, memory-mapped segment files in one
 * directory (one directory per instance, locked while open). An append is a memory copy into the
 * mapped segment, so an event appended before a request's answer was written survives the process
 * being killed (the kernel keeps the page); a background force every {@code syncInterval} bounds
 * what a power loss can take ({@code syncInterval} 0 forces every append).
 *
 * <p>One reader (the shipper) reads records in append order from the durable cursor, and
 * {@link #commit commits} a position once everything before it is shipped; segments wholly before
 * the cursor are deleted. A torn or corrupt record is skipped alone and counted
 * ({@code audit.journal.corrupt}); the records after it are read as usual.
 *
 * <p>Metrics: {@code audit.journal.bytes}, {@code audit.journal.segments},
 * {@code audit.journal.appended} (meter), {@code audit.journal.corrupt}.
 */
public final class AuditJournal implements AutoCloseable {

    /** The journal's settings (from {@code audit.journal} in the configuration). */
    public record Settings(Path directory, long segmentBytes, long maxBytes, Duration syncInterval) {
    }

    /** A place in the journal: a segment's sequence number and a byte offset in it; ordered. */
    public record Position(long segment, long offset) implements Comparable<Position> {
        @Override
        public int compareTo(Position other) {
            final int bySegment = Long.compare(segment, other.segment);
            return bySegment != 0 ? bySegment : Long.compare(offset, other.offset);
        }
    }

    /**
     * One record read back.
     *
     * @param position   where it starts (identifies it for as long as the journal keeps it)
     * @param next       the position just past it: {@link #commit(Position)} this once it is shipped
     * @param appendedAt when it was appended, in epoch milliseconds of the journal's clock
     * @param payload    the bytes appended
     */
    public record Entry(Position position, Position next, long appendedAt, byte[] payload) {
    }

    private AuditJournal() {
        throw new UnsupportedOperationException("not built yet");
    }

    /**
     * Opens (or creates, owner-only) the journal in {@code settings.directory()}: reads the cursor,
     * checks the segments after it and starts a new segment for appends. Fails when another process
     * holds the directory.
     */
    public static AuditJournal open(Settings settings, Clock clock, MetricRegistry metrics) {
        throw new UnsupportedOperationException("not built yet");
    }

    /**
     * Appends one payload; safe from any thread. Returns false, appending nothing, when the
     * journal is at its size limit or cannot be written.
     */
    public boolean append(byte[] payload) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Up to {@code max} records from {@code from} on (the cursor, or a previous entry's {@code next}), in order. */
    public List<Entry> read(Position from, int max) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Waits until a record after {@code from} exists or the time is up; true if one does. */
    public boolean awaitRecord(Position from, long timeout, TimeUnit unit) throws InterruptedException {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Where the shipper stopped: everything before it is shipped. Survives a restart. */
    public Position cursor() {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Durably moves the cursor to {@code upTo} and deletes the segments wholly before it. */
    public void commit(Position upTo) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Bytes on disk in all segments. */
    public long bytes() {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Whether an append would now be refused for the size limit. */
    public boolean full() {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Forces what was appended, unmaps the segments and releases the directory. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("not built yet");
    }
}
