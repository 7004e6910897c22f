package io.authservice.audittransport;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.OwnerOnlyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileStore;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

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
 *
 * <p>On disk: segments {@code journal-<20-digit sequence>.seg}, each pre-sized to
 * {@code segmentBytes}, holding records {@code magic(int) | length(int) | crc32c(int) |
 * appendedAt(long) | payload}, each padded to 8 bytes (the CRC covers appendedAt and the payload);
 * zeros where a record should start mean the end of the segment. The next segment is made ahead
 * ({@code journal-next.tmp}, its pages faulted in off the request threads) and renamed when the
 * segment appended to is full. The cursor is {@code cursor} (segment, offset, CRC), replaced
 * atomically; {@code journal.lock} is held while open.
 */
public final class AuditJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditJournal.class);

    /** Starts every record; has no zero byte, so a record's start is never mistaken for the end. */
    static final int MAGIC = 0xA0D17E5A;
    /** magic, length, crc32c, appendedAt. */
    static final int HEADER_BYTES = 20;
    private static final int LENGTH_AT = 4;
    private static final int CRC_AT = 8;
    private static final int APPENDED_AT = 12;
    private static final int ALIGNMENT = 8;
    /** The smallest segment the journal accepts. */
    public static final long MIN_SEGMENT_BYTES = 1024;
    /** The largest segment the journal accepts (a mapping is indexed by an int). */
    public static final long MAX_SEGMENT_BYTES = Integer.MAX_VALUE & ~(ALIGNMENT - 1);

    static final String SEGMENT_PREFIX = "journal-";
    static final String SEGMENT_SUFFIX = ".seg";
    static final String CURSOR_FILE = "cursor";
    static final String LOCK_FILE = "journal.lock";
    private static final String CURSOR_TEMP_FILE = "cursor.tmp";
    /** The next segment, made and its pages faulted in ahead (off the request threads): a roll renames it. */
    static final String SPARE_FILE = "journal-next.tmp";
    private static final int PAGE_BYTES = 4096;
    /** How long a roll waits for the next segment being made before it makes one itself. */
    private static final long SPARE_WAIT_MILLIS = 1_000;
    private static final int CURSOR_BYTES = 20;

    static final String BYTES_GAUGE = "audit.journal.bytes";
    static final String SEGMENTS_GAUGE = "audit.journal.segments";
    static final String APPENDED_METER = "audit.journal.appended";
    static final String CORRUPT_COUNTER = "audit.journal.corrupt";

    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Unmaps a mapping at once ({@code sun.misc.Unsafe.invokeCleaner}, open to all code without flags),
     * so a deleted segment gives its disk space back then and not whenever the collector gets to it
     * (closing the channel does not unmap); null where it is missing, leaving that to the collector.
     */
    private static final MethodHandle UNMAP = unmapper();

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

    /** One segment file and its mapping (kept for as long as the segment is). */
    private static final class Segment {
        final long sequence;
        final Path path;
        final MappedByteBuffer buffer;
        final int capacity;
        /** Created by this journal, so appended to (until sealed) and forced. */
        final boolean written;
        /** Offsets of corrupt regions already counted, so that re-reading one counts it once. */
        final Set<Integer> corruptCounted = ConcurrentHashMap.newKeySet();
        /**
         * Written here: the end of what was appended (published after each copy). From an earlier
         * run: just past the last non-zero byte, so no record starts at or after it.
         */
        volatile int end;
        /** No more appends: written before {@code end}'s last value is final, read before {@code end}. */
        volatile boolean sealed;
        /** Up to where a force covered (guarded by the sync lock). */
        int forced;

        Segment(long sequence, Path path, MappedByteBuffer buffer, boolean written, int end) {
            this.sequence = sequence;
            this.path = path;
            this.buffer = buffer;
            this.capacity = buffer.capacity();
            this.written = written;
            this.end = end;
            this.sealed = !written;
        }
    }

    private final Settings settings;
    private final Clock clock;
    private final MetricRegistry metrics;
    private final Meter appended;
    private final Counter corrupt;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileStore store;
    private final boolean forceEachAppend;
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();

    private final ReentrantLock appendLock = new ReentrantLock();
    /** The segment appended to; null until one could be made (guarded by the append lock for writes). */
    private volatile Segment active;
    /** Guarded by the append lock. */
    private long nextSequence;
    /** An append was refused for the size limit since the last new segment. */
    private volatile boolean refused;
    /** Space is held for the next segment: it is being made, or {@link #spare} is ready (written under the append lock). */
    private volatile boolean spareHeld;
    /** The next segment, ready (guarded by the append lock). */
    private MappedByteBuffer spare;
    /** Signalled when making the next segment ended (guarded by the append lock). */
    private final Condition spareDone = appendLock.newCondition();
    /** Makes the next segment. */
    private final Executor preparer;
    /** The preparer this journal made (stopped on close), or null when it was given one. */
    private final ExecutorService ownPreparer;
    private volatile boolean closed;

    private final Object commitLock = new Object();
    private volatile Position cursor;
    /** The cursor was replaced since the last force (only when forcing is left to the sync thread). */
    private volatile boolean cursorUnforced;

    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition recordAppended = waitLock.newCondition();
    /** Readers parked in {@link #awaitRecord}: an append signals only when there is one. */
    private final AtomicInteger waiters = new AtomicInteger();

    /** Shared by whatever touches a mapping outside the append lock; exclusive to unmap one. */
    private final ReentrantReadWriteLock mappings = new ReentrantReadWriteLock();
    private final Object syncLock = new Object();
    /** Forces every {@code syncInterval}; null when every append forces itself. */
    private final ScheduledExecutorService syncer;

    private AuditJournal(Settings settings, Clock clock, MetricRegistry metrics, Executor preparer,
                         ExecutorService ownPreparer, FileChannel lockChannel, FileLock lock) throws IOException {
        this.settings = settings;
        this.preparer = preparer;
        this.ownPreparer = ownPreparer;
        this.clock = clock;
        this.metrics = metrics;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.store = Files.getFileStore(settings.directory());
        this.forceEachAppend = settings.syncInterval().isZero();
        this.appended = metrics.meter(APPENDED_METER);
        this.corrupt = metrics.counter(CORRUPT_COUNTER);
        this.cursor = readCursor(settings.directory());

        long lastSequence = cursor.segment();
        for (Path path : segmentFiles(settings.directory())) {
            final Segment segment = mapExisting(path);
            segments.put(segment.sequence, segment);
            lastSequence = Math.max(lastSequence, segment.sequence);
        }
        nextSequence = lastSequence + 1;
        Files.deleteIfExists(settings.directory().resolve(SPARE_FILE));  // an earlier run's, never appended to
        deleteShipped(cursor);
        final int kept = segments.size();
        final long keptBytes = bytes();

        appendLock.lock();
        try {
            if (roomForSegment()) {
                spareHeld = true;
                prepare();  // here, so that the first requests do not fault its pages in
            }
            roll();  // never append into a segment of an earlier run: it may end in a torn record
        } finally {
            appendLock.unlock();
        }
        replaceGauge(BYTES_GAUGE, (Gauge<Long>) this::bytes);
        replaceGauge(SEGMENTS_GAUGE, (Gauge<Integer>) this::segments);
        if (forceEachAppend) {
            syncer = null;
        } else {
            syncer = Executors.newSingleThreadScheduledExecutor(task -> {
                final Thread thread = new Thread(task, "audit-journal-sync");
                thread.setDaemon(true);
                return thread;
            });
            final long interval = settings.syncInterval().toNanos();
            syncer.scheduleWithFixedDelay(this::syncQuietly, interval, interval, TimeUnit.NANOSECONDS);
        }
        LOG.info("audit journal in {}: {} segment(s) ({} bytes) kept from before, reading from {}", settings.directory(),
                kept, keptBytes, cursor);
    }

    /**
     * Opens (or creates, owner-only) the journal in {@code settings.directory()}: reads the cursor,
     * checks the segments after it and starts a new segment for appends. Fails when another process
     * holds the directory.
     */
    public static AuditJournal open(Settings settings, Clock clock, MetricRegistry metrics) {
        final ExecutorService preparer = Executors.newSingleThreadExecutor(task -> {
            final Thread thread = new Thread(task, "audit-journal-prepare");
            thread.setDaemon(true);
            return thread;
        });
        try {
            return open(settings, clock, metrics, preparer, preparer);
        } catch (RuntimeException e) {
            preparer.shutdownNow();
            throw e;
        }
    }

    /** {@link #open}, the next segment made ahead on {@code preparer} ({@code Runnable::run} in tests: at once). */
    static AuditJournal open(Settings settings, Clock clock, MetricRegistry metrics, Executor preparer) {
        return open(settings, clock, metrics, preparer, null);
    }

    private static AuditJournal open(Settings settings, Clock clock, MetricRegistry metrics, Executor preparer,
                                     ExecutorService ownPreparer) {
        validate(settings);
        final Path directory = settings.directory();
        FileChannel lockChannel = null;
        try {
            createDirectory(directory);
            lockChannel = FileChannel.open(directory.resolve(LOCK_FILE),
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), ownerOnly(OWNER_ONLY_FILE));
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("the audit journal in " + directory + " is in use by another process "
                        + "or journal (" + LOCK_FILE + " is locked); each service instance needs a journal directory "
                        + "of its own");
            }
            return new AuditJournal(settings, clock, metrics, preparer, ownPreparer, lockChannel, lock);
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new UncheckedIOException("cannot open the audit journal in " + directory, e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    /**
     * Appends one payload; safe from any thread. Returns false, appending nothing, when the
     * journal is at its size limit or cannot be written.
     */
    public boolean append(byte[] payload) {
        final long size = recordBytes(payload.length);
        if (size > settings.segmentBytes() || closed) {
            return false;
        }
        final int recordSize = (int) size;
        final long appendedAt = clock.millis();
        final int crc = checksum(appendedAt, payload);
        final Segment segment;
        final int start;
        appendLock.lock();
        try {
            if (closed || full()) {
                return false;  // once full, until a commit makes room: what full() says holds
            }
            final Segment target = segmentFor(recordSize);
            if (target == null) {
                return false;
            }
            start = target.end;
            final MappedByteBuffer buffer = target.buffer;
            buffer.putLong(start + APPENDED_AT, appendedAt);
            buffer.put(start + HEADER_BYTES, payload);
            buffer.putInt(start + CRC_AT, crc);
            buffer.putInt(start + LENGTH_AT, payload.length);
            buffer.putInt(start, MAGIC);  // last: a record torn by a crash mid-copy has no start
            target.end = start + recordSize;  // publishes the record to readers
            segment = target;
        } catch (IOException | UncheckedIOException e) {
            LOG.error("audit journal: cannot start a new segment in {}", settings.directory(), e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (InternalError e) {
            // a fault writing the mapped page: the file system could not back it (disk full)
            sealActive();
            LOG.error("audit journal: cannot write a segment in {} (disk full?)", settings.directory(), e);
            return false;
        } finally {
            appendLock.unlock();
        }
        appended.mark();
        if (forceEachAppend && !force(segment, start, recordSize)) {
            return false;
        }
        if (waiters.get() > 0) {
            waitLock.lock();
            try {
                recordAppended.signalAll();
            } finally {
                waitLock.unlock();
            }
        }
        return true;
    }

    /** Up to {@code max} records from {@code from} on (the cursor, or a previous entry's {@code next}), in order. */
    public List<Entry> read(Position from, int max) {
        requireOpen();
        return readFrom(from, max);
    }

    /** What {@link #read} reads; nothing once closed (the segments are gone). */
    private List<Entry> readFrom(Position from, int max) {
        mappings.readLock().lock();
        try {
            return closed ? List.of() : readMapped(from, max);
        } finally {
            mappings.readLock().unlock();
        }
    }

    private List<Entry> readMapped(Position from, int max) {
        final List<Entry> entries = new ArrayList<>(Math.min(Math.max(max, 0), 1024));
        Map.Entry<Long, Segment> found = segments.ceilingEntry(from.segment());
        if (found == null || max <= 0) {
            return entries;
        }
        Segment segment = found.getValue();
        long offset = segment.sequence == from.segment() ? from.offset() : 0;
        while (entries.size() < max) {
            if (!readSegment(segment, offset, max, entries)) {
                break;  // the segment may still grow, or enough was read
            }
            final Map.Entry<Long, Segment> following = segments.higherEntry(segment.sequence);
            if (following == null) {
                break;
            }
            final int last = entries.size() - 1;
            if (last >= 0 && entries.get(last).next().segment() == segment.sequence) {
                // nothing more in its segment: its next is the following segment's start, so committing
                // it lets the segment go
                final Entry entry = entries.get(last);
                entries.set(last, new Entry(entry.position(), new Position(following.getKey(), 0), entry.appendedAt(),
                        entry.payload()));
            }
            segment = following.getValue();
            offset = 0;
        }
        return entries;
    }

    /** Waits until a record after {@code from} exists or the time is up; true if one does. */
    public boolean awaitRecord(Position from, long timeout, TimeUnit unit) throws InterruptedException {
        if (closed) {
            return false;
        }
        if (hasRecord(from)) {
            return true;
        }
        long remaining = unit.toNanos(timeout);
        waitLock.lock();
        waiters.incrementAndGet();
        try {
            while (true) {
                if (closed) {
                    return false;
                }
                if (hasRecord(from)) {  // after announcing the waiter: an append from now on signals
                    return true;
                }
                if (remaining <= 0) {
                    return false;
                }
                remaining = recordAppended.awaitNanos(remaining);
            }
        } finally {
            waiters.decrementAndGet();
            waitLock.unlock();
        }
    }

    /** Where the shipper stopped: everything before it is shipped. Survives a restart. */
    public Position cursor() {
        return cursor;
    }

    /**
     * Durably moves the cursor to {@code upTo} and deletes the segments wholly before it. Durable as
     * the appends are: against the process being killed at once, against a power loss within
     * {@code syncInterval} (a cursor a power loss takes back only ships some events again).
     */
    public void commit(Position upTo) {
        requireOpen();
        synchronized (commitLock) {
            if (upTo.compareTo(cursor) <= 0) {
                return;  // commits only move forward
            }
            try {
                writeCursor(upTo);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the audit journal's cursor in " + settings.directory(), e);
            }
            cursor = upTo;
            deleteShipped(upTo);
        }
        if (!spareHeld) {
            appendLock.lock();
            try {
                prepareSpare();  // the space freed may let the next segment be made ahead again
            } finally {
                appendLock.unlock();
            }
        }
    }

    /** Bytes on disk in all segments (the next one, made ahead, included). */
    public long bytes() {
        long bytes = spareHeld ? settings.segmentBytes() : 0;
        for (Segment segment : segments.values()) {
            bytes += segment.capacity;
        }
        return bytes;
    }

    /** Segment files in the journal, the one appended to included. */
    public int segments() {
        return segments.size();
    }

    /** Whether an append would now be refused for the size limit. */
    public boolean full() {
        return (refused || active == null) && !spareHeld && !roomForSegment();
    }

    /** Forces what was appended, unmaps the segments and releases the directory. */
    @Override
    public void close() {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (spare != null) {
                unmap(spare);
                spare = null;
            }
            spareDone.signalAll();
        } finally {
            appendLock.unlock();
        }
        stop(ownPreparer, "prepare");
        spareHeld = false;
        deleteQuietly(settings.directory().resolve(SPARE_FILE));
        stop(syncer, "sync");
        try {
            sync();
        } catch (RuntimeException e) {
            LOG.error("audit journal: cannot force the segments in {} on close", settings.directory(), e);
        }
        waitLock.lock();
        try {
            recordAppended.signalAll();
        } finally {
            waitLock.unlock();
        }
        metrics.remove(BYTES_GAUGE);
        metrics.remove(SEGMENTS_GAUGE);
        mappings.writeLock().lock();
        try {
            segments.values().forEach(AuditJournal::unmap);
            segments.clear();
            active = null;
        } finally {
            mappings.writeLock().unlock();
        }
        try {
            lock.release();
        } catch (IOException e) {
            LOG.warn("audit journal: cannot release {}", settings.directory().resolve(LOCK_FILE), e);
        }
        closeQuietly(lockChannel);
    }

    // --- appending ------------------------------------------------------------------------------

    /**
     * The segment to append {@code size} bytes to: the active one while it has room, else a new one
     * (waiting for the one being made ahead); null when none can be made. Under the append lock.
     */
    private Segment segmentFor(int size) throws IOException, InterruptedException {
        while (!closed) {
            final Segment current = active;
            if (current != null && current.capacity - current.end >= size) {
                return current;
            }
            if (spare == null && spareHeld) {  // being made: rare, as a segment fills much slower than it is made
                if (!spareDone.await(SPARE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    LOG.warn("audit journal: the next segment took over {} ms to make; making one here",
                            SPARE_WAIT_MILLIS);
                    return roll();
                }
                continue;  // another append may have rolled meanwhile
            }
            return roll();
        }
        return null;
    }

    /**
     * A new segment to append to, the one made ahead if it is ready; null when the size limit leaves no
     * room for one. Under the append lock.
     */
    private Segment roll() throws IOException {
        final MappedByteBuffer ready = spare;
        if (ready == null && !roomForSegment()) {
            if (!refused) {
                refused = true;
                LOG.warn("audit journal in {} is full: {} bytes, at most {}; appends are refused until the shipper "
                        + "catches up", settings.directory(), bytes(), settings.maxBytes());
            }
            return null;
        }
        if (ready == null && store.getUsableSpace() < settings.segmentBytes()) {
            LOG.error("audit journal: the disk under {} has less than {} bytes free for a new segment",
                    settings.directory(), settings.segmentBytes());
            return null;
        }
        final long sequence = nextSequence++;
        final Path path = settings.directory().resolve(segmentName(sequence));
        final MappedByteBuffer buffer;
        if (ready != null) {
            spare = null;
            try {
                Files.move(settings.directory().resolve(SPARE_FILE), path, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                spareHeld = false;
                unmap(ready);
                deleteQuietly(settings.directory().resolve(SPARE_FILE));
                throw e;
            }
            buffer = ready;
        } else {
            buffer = newSegmentFile(path, false);
        }
        final Segment segment = new Segment(sequence, path, buffer, true, 0);
        segments.put(sequence, segment);  // before the previous is sealed: a reader past it finds this one
        if (ready != null) {
            spareHeld = false;  // its space is the segment's now
        }
        sealActive();
        active = segment;
        refused = false;
        prepareSpare();
        return segment;
    }

    /** Starts making the next segment ahead, if none is and the size limit has room. Under the append lock. */
    private void prepareSpare() {
        if (spareHeld || closed || !roomForSegment()) {
            return;
        }
        spareHeld = true;
        try {
            preparer.execute(this::prepare);
        } catch (RejectedExecutionException e) {
            spareHeld = false;
        }
    }

    /** Makes the next segment, its pages faulted in, and offers it to the next roll. */
    private void prepare() {
        final Path path = settings.directory().resolve(SPARE_FILE);
        MappedByteBuffer buffer = null;
        try {
            if (store.getUsableSpace() < settings.segmentBytes()) {
                throw new IOException("less than " + settings.segmentBytes() + " bytes are free");
            }
            Files.deleteIfExists(path);
            buffer = newSegmentFile(path, true);
        } catch (IOException | RuntimeException | InternalError e) {
            LOG.warn("audit journal: cannot make the next segment ahead in {}; the next roll makes its own",
                    settings.directory(), e);
        }
        appendLock.lock();
        try {
            if (buffer != null && !closed) {
                spare = buffer;
            } else {
                spareHeld = false;
                if (buffer != null) {
                    unmap(buffer);
                    deleteQuietly(path);
                }
            }
            spareDone.signalAll();
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Creates a segment file of {@code segmentBytes}, mapped; with {@code faultIn}, touches every page
     * so that the file system allocates it now rather than on the first append into it.
     */
    private MappedByteBuffer newSegmentFile(Path path, boolean faultIn) throws IOException {
        MappedByteBuffer buffer = null;
        try {
            try (FileChannel channel = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE), ownerOnly(OWNER_ONLY_FILE))) {
                buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, settings.segmentBytes());  // sizes the file
            }
            if (faultIn) {
                for (int at = 0; at < buffer.capacity(); at += PAGE_BYTES) {
                    buffer.put(at, (byte) 0);
                }
            }
            return buffer;
        } catch (IOException | RuntimeException | InternalError e) {
            if (buffer != null) {
                unmap(buffer);
            }
            deleteQuietly(path);
            throw e;
        }
    }

    private void sealActive() {
        final Segment previous = active;
        if (previous != null) {
            previous.sealed = true;
        }
        active = null;
    }

    private boolean roomForSegment() {
        return bytes() + settings.segmentBytes() <= settings.maxBytes();
    }

    private static long recordBytes(int payloadLength) {
        return ((long) HEADER_BYTES + payloadLength + ALIGNMENT - 1) & -ALIGNMENT;
    }

    private static int checksum(long appendedAt, byte[] payload) {
        final CRC32C crc = new CRC32C();
        final byte[] at = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++) {
            at[i] = (byte) (appendedAt >>> (56 - 8 * i));  // as ByteBuffer writes it: big-endian
        }
        crc.update(at);
        crc.update(payload);
        return (int) crc.getValue();
    }

    // --- reading --------------------------------------------------------------------------------

    /**
     * Reads records of one segment from {@code offset} into {@code entries}, up to {@code max} in all;
     * true when the segment is sealed and holds nothing more at or after where reading stopped.
     */
    private boolean readSegment(Segment segment, long from, int max, List<Entry> entries) {
        int offset = (int) Math.min(Math.max(from, 0), segment.capacity);
        while (true) {
            final boolean sealed = segment.sealed;  // before end: once sealed, end is final
            final int end = segment.end;
            if (offset >= end) {
                return sealed;
            }
            if (entries.size() >= max) {
                return false;
            }
            final int size = recordAt(segment, offset, end);
            if (size > 0) {
                entries.add(entry(segment, offset, size));
                offset += size;
                continue;
            }
            final int resume = nextRecord(segment, offset, end);
            if (segment.corruptCounted.add(offset)) {
                corrupt.inc();
                LOG.warn("audit journal: skipped a torn or corrupt record in {} at offset {} ({} bytes)",
                        segment.path.getFileName(), offset, resume - offset);
            }
            offset = resume;
        }
    }

    /** The size of the valid record at {@code offset}, or 0 when none starts there. */
    private static int recordAt(Segment segment, int offset, int end) {
        final MappedByteBuffer buffer = segment.buffer;
        // a segment written here ends where its appends do; one from an earlier run may hold a record
        // whose last bytes are zeros past its scanned end
        final int limit = segment.written ? end : segment.capacity;
        if (offset < 0 || (long) offset + HEADER_BYTES > limit || buffer.getInt(offset) != MAGIC) {
            return 0;
        }
        final int length = buffer.getInt(offset + LENGTH_AT);
        final long size = recordBytes(length);
        if (length < 0 || offset + size > limit) {
            return 0;
        }
        final CRC32C crc = new CRC32C();
        crc.update(buffer.slice(offset + APPENDED_AT, Long.BYTES + length));
        return (int) crc.getValue() == buffer.getInt(offset + CRC_AT) ? (int) size : 0;
    }

    /** Where the next valid record after {@code offset} starts, or {@code end} if none does. */
    private static int nextRecord(Segment segment, int offset, int end) {
        for (int at = (offset + ALIGNMENT) & -ALIGNMENT; at < end; at += ALIGNMENT) {
            if (recordAt(segment, at, end) > 0) {
                return at;
            }
        }
        return end;
    }

    private static Entry entry(Segment segment, int offset, int size) {
        final MappedByteBuffer buffer = segment.buffer;
        final byte[] payload = new byte[buffer.getInt(offset + LENGTH_AT)];
        buffer.get(offset + HEADER_BYTES, payload);
        return new Entry(new Position(segment.sequence, offset), new Position(segment.sequence, offset + size),
                buffer.getLong(offset + APPENDED_AT), payload);
    }

    private boolean hasRecord(Position from) {
        return !readFrom(from, 1).isEmpty();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the audit journal in " + settings.directory() + " is closed");
        }
    }

    // --- forcing --------------------------------------------------------------------------------

    private void syncQuietly() {
        try {
            sync();
        } catch (RuntimeException e) {
            LOG.error("audit journal: cannot force the segments in {}", settings.directory(), e);
        }
    }

    /** Forces what was appended since the last force, in every segment written here, and the cursor. */
    private void sync() {
        synchronized (syncLock) {
            mappings.readLock().lock();
            try {
                for (Segment segment : segments.values()) {
                    final int end = segment.end;
                    if (segment.written && end > segment.forced) {
                        segment.buffer.force(segment.forced, end - segment.forced);
                        segment.forced = end;
                    }
                }
            } finally {
                mappings.readLock().unlock();
            }
        }
        if (cursorUnforced) {
            forceCursor();
        }
    }

    private boolean force(Segment segment, int start, int length) {
        mappings.readLock().lock();
        try {
            if (segments.get(segment.sequence) == segment) {  // else shipped and deleted already
                segment.buffer.force(start, length);
            }
            return true;
        } catch (UncheckedIOException e) {
            LOG.error("audit journal: cannot force {}", segment.path, e);
            return false;
        } finally {
            mappings.readLock().unlock();
        }
    }

    // --- the cursor and deleting ----------------------------------------------------------------

    /** Deletes the segments wholly before {@code upTo}; never one that may still be appended to. */
    private void deleteShipped(Position upTo) {
        for (Segment segment : segments.headMap(upTo.segment(), true).values()) {
            if (segment.sealed && (segment.sequence < upTo.segment() || upTo.offset() >= segment.end)) {
                try {
                    Files.deleteIfExists(segment.path);
                } catch (IOException e) {
                    LOG.warn("audit journal: cannot delete the shipped segment {}", segment.path, e);
                    continue;
                }
                mappings.writeLock().lock();
                try {
                    segments.remove(segment.sequence);
                    unmap(segment);
                } finally {
                    mappings.writeLock().unlock();
                }
            }
        }
    }

    private void writeCursor(Position position) throws IOException {
        final ByteBuffer bytes = ByteBuffer.allocate(CURSOR_BYTES);
        bytes.putLong(position.segment()).putLong(position.offset());
        final CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, 2 * Long.BYTES);
        bytes.putInt((int) crc.getValue()).flip();
        final Path temp = settings.directory().resolve(CURSOR_TEMP_FILE);
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), ownerOnly(OWNER_ONLY_FILE))) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (forceEachAppend) {
                channel.force(false);  // whichever name a power loss leaves holds a whole cursor
            }
        }
        Files.move(temp, settings.directory().resolve(CURSOR_FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        if (forceEachAppend) {
            forceDirectory();
        } else {
            cursorUnforced = true;  // the sync thread forces it with the segments
        }
    }

    /** Forces the cursor file and the directory (the rename that put it there). */
    private void forceCursor() {
        cursorUnforced = false;  // first: a commit from now on sets it again
        try (FileChannel channel = FileChannel.open(settings.directory().resolve(CURSOR_FILE), StandardOpenOption.READ)) {
            channel.force(false);
            forceDirectory();
        } catch (IOException e) {
            cursorUnforced = true;
            LOG.warn("audit journal: cannot force the cursor in {}", settings.directory(), e);
        }
    }

    private void forceDirectory() throws IOException {
        try (FileChannel directory = FileChannel.open(settings.directory(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            if (posix()) {
                throw e;
            }
            // some platforms cannot open or force a directory; the rename is as durable as they make it
        }
    }

    /** The committed cursor; the journal's start when there is none (or it is unreadable: ship again). */
    private static Position readCursor(Path directory) throws IOException {
        final Path file = directory.resolve(CURSOR_FILE);
        if (!Files.exists(file)) {
            return new Position(0, 0);
        }
        final byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == CURSOR_BYTES) {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            final CRC32C crc = new CRC32C();
            crc.update(bytes, 0, 2 * Long.BYTES);
            final Position position = new Position(buffer.getLong(), buffer.getLong());
            if ((int) crc.getValue() == buffer.getInt() && position.segment() >= 0 && position.offset() >= 0) {
                return position;
            }
        }
        LOG.error("audit journal: the cursor {} is damaged; shipping every segment kept again (the store keeps "
                + "each event once)", file);
        return new Position(0, 0);
    }

    // --- files ----------------------------------------------------------------------------------

    private static Segment mapExisting(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            final long size = channel.size();
            if (size > MAX_SEGMENT_BYTES) {
                throw new IOException("the audit journal segment " + path + " is larger than a segment can be");
            }
            final MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return new Segment(sequence(path), path, buffer, false, dataEnd(buffer));
        }
    }

    /** Just past the last non-zero byte, rounded up to the alignment: no record starts at or after it. */
    private static int dataEnd(MappedByteBuffer buffer) {
        int at = buffer.capacity();
        while (at % Long.BYTES != 0) {
            if (buffer.get(at - 1) != 0) {
                return at;
            }
            at--;
        }
        while (at >= Long.BYTES && buffer.getLong(at - Long.BYTES) == 0) {
            at -= Long.BYTES;
        }
        return at;
    }

    private static List<Path> segmentFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(AuditJournal::isSegment).sorted().toList();
        }
    }

    private static boolean isSegment(Path path) {
        final String name = path.getFileName().toString();
        return name.length() == SEGMENT_PREFIX.length() + 20 + SEGMENT_SUFFIX.length() && name.startsWith(SEGMENT_PREFIX)
                && name.endsWith(SEGMENT_SUFFIX)
                && name.substring(SEGMENT_PREFIX.length(), SEGMENT_PREFIX.length() + 20).chars().allMatch(Character::isDigit);
    }

    static String segmentName(long sequence) {
        return SEGMENT_PREFIX + String.format("%020d", sequence) + SEGMENT_SUFFIX;
    }

    private static long sequence(Path segment) {
        final String name = segment.getFileName().toString();
        return Long.parseLong(name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length()));
    }

    private static void createDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        final Path parent = directory.toAbsolutePath().getParent();
        if (parent != null) {
            OwnerOnlyFiles.createDirectories(parent);  // ./data, when the journal is the first to need it
        }
        Files.createDirectory(directory, ownerOnly(OWNER_ONLY_DIRECTORY));
        if (posix()) {
            Files.setPosixFilePermissions(directory, OWNER_ONLY_DIRECTORY);  // whatever the umask
        }
    }

    private static FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
        return posix() ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static void unmap(Segment segment) {
        unmap(segment.buffer);
    }

    private static void unmap(MappedByteBuffer buffer) {
        if (UNMAP != null) {
            try {
                UNMAP.invokeExact((ByteBuffer) buffer);
            } catch (Throwable e) {
                LOG.warn("audit journal: cannot unmap a segment; the collector will", e);
            }
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("audit journal: cannot delete {}", path, e);
        }
    }

    private static void stop(ExecutorService executor, String name) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("audit journal: the {} thread did not stop within {}", name, CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MethodHandle unmapper() {
        try {
            final Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            final Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(field.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("audit journal: segments are unmapped by the garbage collector ({})", e.toString());
            return null;
        }
    }

    private void replaceGauge(String name, Gauge<?> gauge) {
        metrics.remove(name);  // a journal reopened in the same process takes its gauges over
        metrics.register(name, gauge);
    }

    private static void validate(Settings settings) {
        if (settings.directory() == null) {
            throw new IllegalArgumentException("audit.journal.directory is required");
        }
        if (settings.segmentBytes() < MIN_SEGMENT_BYTES || settings.segmentBytes() > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("audit.journal.segmentBytes must be from " + MIN_SEGMENT_BYTES + " to "
                    + MAX_SEGMENT_BYTES + ", not " + settings.segmentBytes());
        }
        if (settings.maxBytes() / 2 < settings.segmentBytes()) {
            throw new IllegalArgumentException("audit.journal.maxBytes (" + settings.maxBytes()
                    + ") must be at least two segments (2 x " + settings.segmentBytes() + "): one to append to while "
                    + "the one before it is shipped");
        }
        if (settings.syncInterval() == null || settings.syncInterval().isNegative()) {
            throw new IllegalArgumentException("audit.journal.syncInterval must be zero or more");
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warn("audit journal: cannot close {}", channel, e);
            }
        }
    }
}
