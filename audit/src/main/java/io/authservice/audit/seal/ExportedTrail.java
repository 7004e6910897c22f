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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
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

    private final List<AuditEvent> events;
    private final List<Seal> seals;
    private final List<SealPurge> purges;
    private final Instant from;
    private final Instant to;

    private ExportedTrail(List<AuditEvent> events, List<Seal> seals, List<SealPurge> purges, Instant from, Instant to) {
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
     * Reads an export back.
     *
     * @throws IllegalArgumentException naming the line that is not an event or a record, or when the
     *                                  file carries no seals (it was exported without them)
     */
    public static ExportedTrail read(BufferedReader in) throws IOException {
        final List<AuditEvent> events = new ArrayList<>();
        final List<Seal> seals = new ArrayList<>();
        final List<SealPurge> purges = new ArrayList<>();
        Instant from = null;
        Instant to = null;
        boolean range = false;
        int number = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            try {
                // the records are written with "record" first; an event line is parsed once, as an event
                if (!line.startsWith(RECORD_PREFIX)) {
                    events.add(AuditWireFormat.decode(line.getBytes(StandardCharsets.UTF_8)));
                } else {
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
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("line " + number + " is neither an audit event nor a seal record: "
                        + e.getMessage(), e);
            }
        }
        if (seals.isEmpty() && purges.isEmpty() && !range) {
            throw new IllegalArgumentException("the file carries no seals, so it cannot be verified:"
                    + " export it with include=seals (audit --with-seals)");
        }
        return new ExportedTrail(events, seals, purges, from, to);
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

    @Override
    public void events(Instant from, Instant to, Consumer<AuditEvent> each) {
        for (AuditEvent event : events) {
            if (!event.occurredAt().isBefore(from) && !event.occurredAt().isAfter(to)) {
                each.accept(event);
            }
        }
    }
}
