package io.authservice.audit.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.UtcInstantArgumentFactory;
import org.jdbi.v3.core.Jdbi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * An NDJSON export that carries its proof: the events (their wire form, one a line), then one line
 * per seal and per purge record of every chain the range touches, and a last line naming the range,
 * each of those with a {@code "record"} field ({@code seal}, {@code purge}, {@code range}) that no
 * event has. {@link #proof} picks what to write, {@link #read} reads a file back for
 * {@link TrailVerifier#verifyExport}, offline.
 *
 * <p>A range cuts batches at its edges: the export holds every seal whose batch overlaps the range
 * and every event of those batches, also those just outside the range, so each batch's digest can be
 * recomputed whole.
 */
public final class ExportedTrail implements TrailSource {
    public static final String RECORD_FIELD = "record";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RECORD_PREFIX = "{\"" + RECORD_FIELD + "\":";

    private static final byte[] RECORD_PREFIX_BYTES = RECORD_PREFIX.getBytes(StandardCharsets.UTF_8);
    /** How an event line begins as {@link AuditWireFormat#encode} writes it, up to its id; then its time. */
    private static final byte[] EVENT_PREFIX = ("{\"" + AuditWireFormat.VERSION_FIELD + "\":" + AuditWireFormat.VERSION
            + ",\"id\":\"").getBytes(StandardCharsets.UTF_8);
    private static final byte[] OCCURRED_AT = "\",\"occurred_at\":\"".getBytes(StandardCharsets.UTF_8);

    private final EventLines events;
    private final List<Seal> seals;
    private final List<SealPurge> purges;
    private final Instant from;
    private final Instant to;

    private ExportedTrail(EventLines events, List<Seal> seals, List<SealPurge> purges, Instant from, Instant to) {
        this.events = events;
        this.seals = seals;
        this.purges = purges;
        this.from = from;
        this.to = to;
    }

    /** The seals and purge records an export of {@code [from, to]} (null: open) carries. */
    public record Proof(List<Seal> seals, List<SealPurge> purges) {
        /** Every event id the seals hold: each must be in the export, in the range or not. */
        public Set<UUID> members() {
            final Set<UUID> ids = new HashSet<>();
            for (Seal seal : seals) {
                final byte[] members = seal.members() == null ? new byte[0] : seal.members();
                for (int i = 0; i < SealMembers.count(members); i++) {
                    ids.add(SealMembers.id(members, i));
                }
            }
            return ids;
        }

        /** The earliest event time of the seals, or {@code from}. */
        public Instant eventsFrom(Instant from) {
            return seals.stream().map(Seal::firstAt).filter(t -> from == null || t.isBefore(from)).min(Instant::compareTo)
                    .map(t -> from == null ? null : t).orElse(from);
        }

        /** The latest event time of the seals, or {@code to}. */
        public Instant eventsTo(Instant to) {
            return seals.stream().map(Seal::lastAt).filter(t -> to == null || !t.isBefore(to)).max(Instant::compareTo)
                    .map(t -> to == null ? null : t.plusNanos(1000)).orElse(to);
        }
    }

    public static Proof proof(Jdbi jdbi, Instant from, Instant to) {
        final Instant lo = from == null ? Instant.parse("0001-01-01T00:00:00Z") : from;
        final Instant hi = to == null ? Instant.parse("9999-12-31T23:59:59Z") : to;
        return jdbi.withHandle(handle -> {
            final List<Seal> seals = Seals.select(handle.createQuery("SELECT " + Seals.COLUMNS + " FROM audit_seals"
                            + " WHERE last_at >= :lo AND first_at <= :hi ORDER BY chain_id, seq")
                    .registerArgument(new UtcInstantArgumentFactory()).bind("lo", lo).bind("hi", hi)).list();
            final Set<String> chains = new HashSet<>();
            seals.forEach(seal -> chains.add(seal.chainId()));
            final List<SealPurge> purges = SealedRetention.records(handle).stream()
                    .filter(p -> chains.contains(p.chainId()) || from == null).toList();
            return new Proof(seals, purges);
        });
    }

    /** A seal as an export line (without its newline). */
    public static String line(Seal seal) {
        final ObjectNode node = JSON.createObjectNode().put(RECORD_FIELD, "seal").put("chain", seal.chainId()).put("seq", seal.seq())
                .put("kind", seal.kind()).put("event_count", seal.eventCount()).put("first_at", seal.firstAt().toString())
                .put("last_at", seal.lastAt().toString()).put("events_sha256", seal.eventsSha256())
                .put("members", seal.members() == null ? null : Base64.getEncoder().encodeToString(seal.members()))
                .put("prev_digest", seal.prevDigest()).put("key_id", seal.keyId()).put("signature", seal.signature())
                .put("sealed_at", seal.sealedAt().toString());
        return node.toString();
    }

    /** A purge record as an export line. */
    public static String line(SealPurge purge) {
        return JSON.createObjectNode().put(RECORD_FIELD, "purge").put("chain", purge.chainId()).put("last_seq", purge.lastSeq())
                .put("last_digest", purge.lastDigest()).put("cutoff", purge.cutoff().toString())
                .put("purged_at", purge.purgedAt().toString()).put("key_id", purge.keyId()).put("signature", purge.signature())
                .toString();
    }

    /** The range an export was made for, its last line. */
    public static String rangeLine(Instant from, Instant to) {
        final ObjectNode node = JSON.createObjectNode().put(RECORD_FIELD, "range");
        if (from != null) {
            node.put("from", from.toString());
        }
        if (to != null) {
            node.put("to", to.toString());
        }
        return node.toString();
    }

    /**
     * Reads an export back from a file, in two passes: the seals, purge records and range first, then,
     * while {@link TrailVerifier#verifyExport} checks them, the events, one line at a time, none kept.
     *
     * @throws IllegalArgumentException naming the line that is not an event or a record, or when the
     *                                  file carries no seals (it was exported without them); a line
     *                                  that only looks like an event is named while it is verified
     */
    public static ExportedTrail read(Path file) throws IOException {
        final Records records = new Records();
        try (InputStream in = Files.newInputStream(file)) {
            ByteLines.forEach(in, (number, bytes, offset, length) -> {
                if (isRecord(bytes, offset, length)) {
                    records.add(number, new String(bytes, offset, length, StandardCharsets.UTF_8));
                }
            });
        }
        return records.trail(each -> {
            try (InputStream in = Files.newInputStream(file)) {
                ByteLines.forEach(in, (number, bytes, offset, length) -> {
                    if (!isRecord(bytes, offset, length)) {
                        each.line(number, bytes, offset, length);
                    }
                });
            }
        });
    }

    /**
     * Reads an export back from a reader, keeping its event lines (as bytes) for the verification: for
     * an export small enough to hold; {@link #read(Path)} reads a file of any size.
     *
     * @throws IllegalArgumentException as {@link #read(Path)}
     */
    public static ExportedTrail read(BufferedReader in) throws IOException {
        final Records records = new Records();
        final List<byte[]> events = new ArrayList<>();
        final List<Integer> numbers = new ArrayList<>();
        int number = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            number++;
            if (line.startsWith(RECORD_PREFIX)) {
                records.add(number, line);
            } else if (!line.isBlank()) {
                events.add(line.getBytes(StandardCharsets.UTF_8));
                numbers.add(number);
            }
        }
        return records.trail(each -> {
            for (int i = 0; i < events.size(); i++) {
                each.line(numbers.get(i), events.get(i), 0, events.get(i).length);
            }
        });
    }

    private static boolean isRecord(byte[] bytes, int offset, int length) {
        return length >= RECORD_PREFIX_BYTES.length
                && Arrays.equals(bytes, offset, offset + RECORD_PREFIX_BYTES.length, RECORD_PREFIX_BYTES, 0, RECORD_PREFIX_BYTES.length);
    }

    /** The seals, purge records and range of a file, as its record lines are read. */
    private static final class Records {
        private final List<Seal> seals = new ArrayList<>();
        private final List<SealPurge> purges = new ArrayList<>();
        private Instant from;
        private Instant to;
        private boolean range;

        /** A line that begins as a record does (records are written with "record" first). */
        void add(int number, String line) {
            try {
                final JsonNode node = JSON.readTree(line);
                final String record = node.path(RECORD_FIELD).asText();
                switch (record) {
                    case "seal" -> seals.add(new Seal(text(node, "chain"), node.get("seq").asLong(), text(node, "kind"),
                            node.get("event_count").asInt(), instant(node, "first_at"), instant(node, "last_at"),
                            text(node, "events_sha256"), node.path("members").isTextual()
                            ? Base64.getDecoder().decode(node.get("members").asText()) : null, text(node, "prev_digest"),
                            text(node, "key_id"), text(node, "signature"), instant(node, "sealed_at")));
                    case "purge" -> purges.add(new SealPurge(text(node, "chain"), node.get("last_seq").asLong(),
                            text(node, "last_digest"), instant(node, "cutoff"), instant(node, "purged_at"),
                            text(node, "key_id"), text(node, "signature")));
                    case "range" -> {
                        range = true;
                        from = node.has("from") ? instant(node, "from") : null;
                        to = node.has("to") ? instant(node, "to") : null;
                    }
                    default -> throw new IllegalArgumentException("unknown record '" + record + "'");
                }
            } catch (IOException | RuntimeException e) {
                throw notAnEventOrRecord(number, e);
            }
        }

        ExportedTrail trail(EventLines events) {
            if (seals.isEmpty() && purges.isEmpty() && !range) {
                throw new IllegalArgumentException("the file carries no seals, so it cannot be verified:"
                        + " export it with include=seals (audit --with-seals)");
            }
            return new ExportedTrail(events, seals, purges, from, to);
        }
    }

    private static IllegalArgumentException notAnEventOrRecord(int number, Exception e) {
        return new IllegalArgumentException("line " + number + " is neither an audit event nor a seal record: "
                + e.getMessage(), e);
    }

    /** The export's event lines (every line that is not blank and not a record), read again at each call. */
    @FunctionalInterface
    private interface EventLines {
        void forEach(ByteLines.Handler each) throws IOException;
    }

    private static String text(JsonNode node, String field) {
        final JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' is missing");
        }
        return value.asText();
    }

    private static Instant instant(JsonNode node, String field) {
        return Instant.parse(text(node, field));
    }

    /** The range it was exported for: null ends are open. */
    public Instant from() {
        return from;
    }

    public Instant to() {
        return to;
    }

    @Override
    public Map<String, long[]> ranges(Instant lo, Instant hi) {
        final Map<String, long[]> ranges = new LinkedHashMap<>();
        for (Seal seal : seals) {
            if (!seal.lastAt().isBefore(lo) && !seal.firstAt().isAfter(hi)) {
                ranges.merge(seal.chainId(), new long[]{seal.seq(), seal.seq()},
                        (a, b) -> new long[]{Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
        }
        return ranges;
    }

    @Override
    public Map<String, Long> heads() {
        return Map.of();  // a file cannot say where a chain ended
    }

    @Override
    public List<SealPurge> purges() {
        return purges;
    }

    @Override
    public List<Seal> seals(String chain, long first, long last) {
        return seals.stream().filter(s -> s.chainId().equals(chain) && s.seq() >= first && s.seq() <= last)
                .sorted(java.util.Comparator.comparingLong(Seal::seq)).toList();
    }

    /**
     * Each event line in {@code [from, to]}, hashed as it stands: a line as {@link AuditWireFormat#encode}
     * writes it is found unchanged by its hash alone; only a line whose hash is not its member's is
     * decoded (and encoded again, {@link TrailSource.Event#wireHash}). The id and time are read from
     * their places in a line written that way, and decoded from any other.
     *
     * @throws IllegalArgumentException naming a line that is not an audit event
     */
    @Override
    public void events(Instant from, Instant to, Consumer<TrailSource.Event> each) {
        final WireHasher hasher = new WireHasher();
        try {
            events.forEach((number, bytes, offset, length) -> {
                UUID id = uuid(bytes, offset, length);
                final int timeAt = offset + EVENT_PREFIX.length + 36 + OCCURRED_AT.length;
                Instant at = id == null ? null : EventTimes.parse(bytes, timeAt, offset + length);
                AuditEvent decoded = null;
                if (at == null) {
                    decoded = decode(number, bytes, offset, length);
                    id = decoded.id();
                    at = decoded.occurredAt();
                }
                if (at.isBefore(from) || at.isAfter(to)) {
                    return;
                }
                final AuditEvent known = decoded;
                each.accept(new TrailSource.Event(id, at, hasher.hash(bytes, offset, length),
                        () -> hasher.hash(known != null ? known : decode(number, bytes, offset, length))));
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the export again", e);
        }
    }

    private static AuditEvent decode(int number, byte[] bytes, int offset, int length) {
        try {
            return AuditWireFormat.decode(Arrays.copyOfRange(bytes, offset, offset + length));
        } catch (RuntimeException e) {
            throw notAnEventOrRecord(number, e);
        }
    }

    /** The id of a line that begins as {@code encode} writes one (lower-case hex, then the time's field), or null. */
    private static UUID uuid(byte[] bytes, int offset, int length) {
        final int idAt = offset + EVENT_PREFIX.length;
        if (length < EVENT_PREFIX.length + 36 + OCCURRED_AT.length
                || !Arrays.equals(bytes, offset, idAt, EVENT_PREFIX, 0, EVENT_PREFIX.length)
                || !Arrays.equals(bytes, idAt + 36, idAt + 36 + OCCURRED_AT.length, OCCURRED_AT, 0, OCCURRED_AT.length)) {
            return null;
        }
        long most = 0;
        long least = 0;
        for (int i = 0; i < 36; i++) {
            final byte b = bytes[idAt + i];
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (b != '-') {
                    return null;
                }
                continue;
            }
            final int digit = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : -1;
            if (digit < 0) {
                return null;
            }
            if (i < 18) {
                most = most << 4 | digit;
            } else {
                least = least << 4 | digit;
            }
        }
        return new UUID(most, least);
    }
}
