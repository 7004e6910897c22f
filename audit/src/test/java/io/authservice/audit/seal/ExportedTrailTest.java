package io.authservice.audit.seal;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static io.authservice.audit.seal.TrailFinding.Kind.EVENT_CHANGED;
import static io.authservice.audit.seal.TrailFinding.Kind.EVENT_DELETED;
import static io.authservice.audit.seal.TrailFinding.Kind.EVENT_UNSEALED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An export that carries its seals, verified offline: clean, a changed, removed or added line, a
 * range that cuts batches at its edges, and a file without seals. The lines are written as the
 * service's export writes them ({@code AuditExport.writeWithSeals}): events, seals, purge records, range.
 */
class ExportedTrailTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final SealKey KEY = SealKey.generate();
    private static final SealKeyRing RING = SealKeyRing.of(List.of(KEY.publicKey()));
    private static final String CHAIN = "direct:instance-a";

    /** Three batches of three events, a minute apart each, and a purge of the first. */
    private static Jdbi trail(Supplier<Jdbi> database) {
        final Jdbi jdbi = SealedTrailIntegrationTest.migrated(database.get());
        final AuditStore store = new AuditStore(jdbi, List.of(new BatchSealer(CHAIN, KEY, Clock.fixed(NOW, ZoneOffset.UTC))));
        for (int b = 0; b < 4; b++) {
            store.insertAll(List.of(event(b * 10), event(b * 10 + 1), event(b * 10 + 2)));
        }
        final Instant cutoff = NOW.plus(Duration.ofMinutes(5));
        new SealedRetention(jdbi, KEY, Clock.fixed(NOW.plus(Duration.ofDays(1)), ZoneOffset.UTC)).purge(cutoff, 100);
        new AuditStore(jdbi).purgeOlderThan(cutoff, 100, java.util.Set.of());
        return jdbi;
    }

    /** The export of [from, to) as the service writes it: in range, or a member of an overlapping batch. */
    private static List<String> export(Jdbi jdbi, Instant from, Instant to) {
        final ExportedTrail.Proof proof = ExportedTrail.proof(jdbi, from, to);
        final java.util.Set<java.util.UUID> members = proof.members();
        final List<String> lines = new ArrayList<>();
        jdbi.useHandle(h -> h.createQuery("SELECT * FROM audit_events ORDER BY occurred_at").map(new io.authservice.audit.AuditEventMapper())
                .forEach(event -> {
                    final boolean inRange = (from == null || !event.occurredAt().isBefore(from))
                            && (to == null || event.occurredAt().isBefore(to));
                    if (inRange || members.contains(event.id())) {
                        lines.add(AuditWireFormat.encodeToString(event));
                    }
                }));
        proof.seals().forEach(seal -> lines.add(ExportedTrail.line(seal)));
        proof.purges().forEach(purge -> lines.add(ExportedTrail.line(purge)));
        lines.add(ExportedTrail.rangeLine(from, to));
        return lines;
    }

    @TempDir
    static Path files;

    /** Read from a reader and from a file (two passes, the events streamed): the verdict must be the same. */
    private static TrailVerification verify(List<String> lines) throws IOException {
        final String text = String.join("\n", lines) + "\n";
        final TrailVerification fromReader = TrailVerifier.verifyExport(ExportedTrail.read(new BufferedReader(new StringReader(text))), RING);
        final Path file = Files.createTempFile(files, "export", ".ndjson");
        Files.writeString(file, text.replace("\n", "\r\n"), StandardCharsets.UTF_8);
        final TrailVerification fromFile = TrailVerifier.verifyExport(ExportedTrail.read(file), RING);
        assertThat(fromFile).usingRecursiveComparison().isEqualTo(fromReader);
        return fromReader;
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void aWholeExportVerifiesOfflineAsTheStoreDoes(Supplier<Jdbi> database) throws IOException {
        final Jdbi jdbi = trail(database);
        final List<String> lines = export(jdbi, null, null);

        final TrailVerification offline = verify(lines);

        assertThat(offline.findings()).isEmpty();
        assertThat(offline.ok()).isTrue();
        assertThat(offline.digests()).isEqualTo(3);
        assertThat(offline.events()).isEqualTo(9);
        assertThat(lines).filteredOn(line -> line.contains("\"record\":\"purge\"")).hasSize(1);
        assertThat(new TrailVerifier(jdbi, RING).verify(null, null).ok()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void aChangedARemovedAndAnAddedLineAreNamed(Supplier<Jdbi> database) throws IOException {
        final List<String> lines = export(trail(database), null, null);
        final AuditEvent changed = AuditWireFormat.decode(lines.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final AuditEvent removed = AuditWireFormat.decode(lines.get(4).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final AuditEvent added = event(25);

        final List<String> tampered = new ArrayList<>(lines);
        tampered.set(0, lines.get(0).replace("\"status\":200", "\"status\":401"));
        tampered.remove(4);
        tampered.add(3, AuditWireFormat.encodeToString(added));

        assertThat(verify(tampered).findings()).extracting(TrailFinding::kind, TrailFinding::eventId).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(EVENT_CHANGED, changed.id()),
                org.assertj.core.groups.Tuple.tuple(EVENT_DELETED, removed.id()),
                org.assertj.core.groups.Tuple.tuple(EVENT_UNSEALED, added.id()));
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void aRangeExportKeepsTheBatchesAtItsEdgesWhole(Supplier<Jdbi> database) throws IOException {
        final Jdbi jdbi = trail(database);
        // from the middle of batch 2 (minutes 10-12) to the middle of batch 3 (20-22)
        final List<String> lines = export(jdbi, NOW.plus(Duration.ofMinutes(11)), NOW.plus(Duration.ofMinutes(21)));

        final TrailVerification offline = verify(lines);

        assertThat(offline.findings()).isEmpty();
        assertThat(offline.digests()).isEqualTo(2);
        assertThat(offline.events()).isEqualTo(6);
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void anExportWithoutSealsCannotBeVerified(Supplier<Jdbi> database) {
        final List<String> events = export(trail(database), null, null).stream().filter(line -> !line.contains("\"record\"")).toList();

        assertThatThrownBy(() -> verify(events)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("carries no seals, so it cannot be verified");
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void aLineWrittenAnotherWayThatHoldsTheSameEventStillVerifies(Supplier<Jdbi> database) throws IOException {
        final List<String> lines = new ArrayList<>(export(trail(database), null, null));
        final AuditEvent first = AuditWireFormat.decode(lines.get(0).getBytes(StandardCharsets.UTF_8));
        // spaces after the separators and the fields in another order: not the sealed bytes, but the same event
        final com.fasterxml.jackson.databind.node.ObjectNode reordered = AuditWireFormat.toJson(first);
        final String status = reordered.remove("status").toString();
        lines.set(0, "{\"status\": " + status + ", " + reordered.toString().substring(1).replace("\",\"", "\", \""));

        final TrailVerification offline = verify(lines);

        assertThat(lines.get(0)).isNotEqualTo(AuditWireFormat.encodeToString(first));
        assertThat(offline.findings()).isEmpty();
        assertThat(offline.events()).isEqualTo(9);
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void aLineThatIsNotAnEventIsNamed(Supplier<Jdbi> database) {
        final List<String> lines = new ArrayList<>(export(trail(database), null, null));
        lines.set(2, lines.get(2).substring(0, lines.get(2).length() - 10));
        lines.add(1, "not json");

        assertThatThrownBy(() -> TrailVerifier.verifyExport(ExportedTrail.read(new BufferedReader(new StringReader(
                String.join("\n", lines)))), RING)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("line 2 is neither an audit event nor a seal record");
        lines.remove(1);
        assertThatThrownBy(() -> TrailVerifier.verifyExport(ExportedTrail.read(new BufferedReader(new StringReader(
                String.join("\n", lines)))), RING)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("line 3 is neither an audit event nor a seal record");
    }

    private static AuditEvent event(int minutes) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, NOW.plus(Duration.ofMinutes(minutes)))
                .key(7L, "k7", "abcd1234").request("10.0.0.1", "ua", "GET", "/api/v1/whoami/").status(200).build();
    }
}
