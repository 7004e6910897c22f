package io.authservice.auditing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * A durable local queue of encoded events for when Kafka cannot take them: append-only segment
 * files in one directory, each append of a batch forced to disk before it returns. Segments are
 * sealed and read back in order for replay; a replayed segment's progress is kept beside it
 * ({@code .pos}), so a restart resends at most one chunk. A torn last record (a crash mid-write)
 * is skipped. Segments left by an earlier run are replayed like any other. A segment can be
 * reserved ahead of later appends ({@link #reserve()}), for records that turn out to have failed
 * after newer ones were spooled.
 *
 * <p>Record format: length (int), CRC32 of the payload (int), payload.
 */
public final class AuditSpool implements AutoCloseable {
    private static final String PREFIX = "spool-";
    private static final String SUFFIX = ".log";

    private final Path directory;
    private final long maxBytes;
    private long nextSequence;
    private Path current;
    private FileChannel channel;
    private long bytes;

    /** Thrown when an append would take the spool past its size limit. */
    public static final class SpoolFullException extends IOException {
        public SpoolFullException(String message) {
            super(message);
        }
    }

    public AuditSpool(Path directory, long maxBytes) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(directory);
            for (Path segment : segments()) {
                bytes += Files.size(segment) - position(segment);
                nextSequence = Math.max(nextSequence, sequence(segment) + 1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit spool in " + directory, e);
        }
    }

    /** Appends the payloads and forces them to disk; all or (on an exception) possibly a torn tail. */
    public synchronized void append(List<byte[]> payloads) throws IOException {
        final ByteBuffer buffer = encode(payloads);
        if (channel == null) {
            current = directory.resolve(segmentName(nextSequence++));
            channel = FileChannel.open(current, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        write(channel, buffer);
    }

    /**
     * Reserves a segment that replays before everything appended from now on (the appends go to a
     * new segment). The Kafka sink takes one while it sends live, so that records which were in flight
     * when Kafka failed, and fail only later, can still be spooled ahead of newer events.
     */
    public synchronized long reserve() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            current = null;
        }
        return nextSequence++;
    }

    /** Writes the payloads as the reserved segment, forced to disk; at most once per reservation. */
    public synchronized void append(long reserved, List<byte[]> payloads) throws IOException {
        final ByteBuffer buffer = encode(payloads);
        try (FileChannel out = FileChannel.open(directory.resolve(segmentName(reserved)), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            write(out, buffer);
        }
    }

    private ByteBuffer encode(List<byte[]> payloads) throws SpoolFullException {
        long size = 0;
        for (byte[] payload : payloads) {
            size += 8 + payload.length;
        }
        if (bytes + size > maxBytes) {
            throw new SpoolFullException("the audit spool holds " + bytes + " bytes, at most " + maxBytes);
        }
        final ByteBuffer buffer = ByteBuffer.allocate((int) size);
        for (byte[] payload : payloads) {
            final CRC32 crc = new CRC32();
            crc.update(payload);
            buffer.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        }
        return buffer.flip();
    }

    private void write(FileChannel out, ByteBuffer buffer) throws IOException {
        final int size = buffer.remaining();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        out.force(false);
        bytes += size;
    }

    private static String segmentName(long sequence) {
        return PREFIX + String.format("%019d", sequence) + SUFFIX;
    }

    /** Bytes waiting to be replayed. */
    public synchronized long bytes() {
        return bytes;
    }

    public synchronized boolean isEmpty() {
        return bytes == 0;
    }

    /**
     * Closes the segment being appended to, so new appends start a new one, and returns every
     * segment waiting for replay, oldest first.
     */
    public synchronized List<Path> seal() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            current = null;
        }
        return segments();
    }

    /** Up to {@code max} records of a sealed segment from its saved position, and the position after them. */
    public Chunk read(Path segment, int max) throws IOException {
        final long start = position(segment);
        final List<byte[]> records = new ArrayList<>();
        long position = start;
        try (FileChannel in = FileChannel.open(segment, StandardOpenOption.READ)) {
            in.position(start);
            final ByteBuffer header = ByteBuffer.allocate(8);
            while (records.size() < max) {
                header.clear();
                if (readFully(in, header) < 8) {
                    break;
                }
                header.flip();
                final int length = header.getInt();
                final int crc = header.getInt();
                if (length < 0 || length > 16 * 1024 * 1024) {
                    break;  // a torn or damaged tail
                }
                final ByteBuffer payload = ByteBuffer.allocate(length);
                if (readFully(in, payload) < length) {
                    break;
                }
                final CRC32 check = new CRC32();
                check.update(payload.array());
                if ((int) check.getValue() != crc) {
                    break;
                }
                records.add(payload.array());
                position += 8 + length;
            }
        }
        return new Chunk(segment, start, position, records);
    }

    /** Records of one segment, from {@code start} to {@code end}. */
    public record Chunk(Path segment, long start, long end, List<byte[]> records) {
    }

    /** Notes that a chunk reached Kafka; a segment fully replayed is deleted. */
    public synchronized void replayed(Chunk chunk) throws IOException {
        bytes -= chunk.end() - chunk.start();
        if (chunk.records().isEmpty() || chunk.end() >= Files.size(chunk.segment())) {
            bytes -= Files.size(chunk.segment()) - chunk.end();  // a torn tail, if any, goes too
            Files.deleteIfExists(positionFile(chunk.segment()));
            Files.delete(chunk.segment());
        } else {
            final Path tmp = positionFile(chunk.segment()).resolveSibling(chunk.segment().getFileName() + ".pos.tmp");
            Files.writeString(tmp, Long.toString(chunk.end()), StandardCharsets.US_ASCII);
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, positionFile(chunk.segment()), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        bytes = Math.max(bytes, 0);
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> {
                final String name = p.getFileName().toString();
                return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
            }).sorted().toList();
        }
    }

    private static long sequence(Path segment) {
        final String name = segment.getFileName().toString();
        return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
    }

    private static Path positionFile(Path segment) {
        return segment.resolveSibling(segment.getFileName() + ".pos");
    }

    private static long position(Path segment) throws IOException {
        final Path file = positionFile(segment);
        return Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip()) : 0;
    }

    private static int readFully(FileChannel in, ByteBuffer buffer) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            final int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
