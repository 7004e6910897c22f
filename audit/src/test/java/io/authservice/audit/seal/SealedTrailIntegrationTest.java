package io.authservice.audit.seal;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.audit.Migrations;
import io.authservice.audit.SqlObjects;
import io.authservice.audit.testing.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.authservice.audit.seal.TrailFinding.Kind.BAD_SIGNATURE;
import static io.authservice.audit.seal.TrailFinding.Kind.BROKEN_LINK;
import static io.authservice.audit.seal.TrailFinding.Kind.DIGEST_MISSING;
import static io.authservice.audit.seal.TrailFinding.Kind.DIGEST_OUT_OF_ORDER;
import static io.authservice.audit.seal.TrailFinding.Kind.EVENT_CHANGED;
import static io.authservice.audit.seal.TrailFinding.Kind.EVENT_DELETED;
import static io.authservice.audit.seal.TrailFinding.Kind.EVENT_UNSEALED;
import static io.authservice.audit.seal.TrailFinding.Kind.UNKNOWN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sealed trail on H2 and PostgreSQL: a clean trail verifies; each kind of tampering, done with
 * SQL as a database administrator would, is found and named; a writer that restarts continues its
 * chain; two writers keep two chains.
 */
class SealedTrailIntegrationTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final SealKey KEY = SealKey.generate();
    private static final SealKeyRing RING = SealKeyRing.of(List.of(KEY.publicKey()));
    private static final String CHAIN = "instance-a";

    static Stream<Named<Supplier<Jdbi>>> databases() {
        return Stream.of(Named.of("H2", () -> jdbi(h2Url())), Named.of("PostgreSQL", () -> jdbi(TestPostgres.newDatabase())));
    }

    /** Three batches of three events on one chain: seqs 1, 2, 3. */
    private static List<List<AuditEvent>> sealThreeBatches(Jdbi jdbi) {
        final AuditStore store = new AuditStore(jdbi, List.of(new BatchSealer(CHAIN, KEY, CLOCK)));
        final List<List<AuditEvent>> batches = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            final List<AuditEvent> batch = events(3, b * 10);
            store.insertAll(batch);
            batches.add(batch);
        }
        return batches;
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aCleanTrailVerifies(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        sealThreeBatches(jdbi);
        final AuditStore store = new AuditStore(jdbi, List.of(new BatchSealer(CHAIN, KEY, CLOCK)));
        store.insertAll(events(2, 100));
        store.insertAll(events(0, 0));  // nothing new: no digest

        final TrailVerification result = verifier(jdbi).verify(null, null);

        assertThat(result.findings()).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(result.chains()).isEqualTo(1);
        assertThat(result.digests()).isEqualTo(4);
        assertThat(result.events()).isEqualTo(11);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aChangedFieldIsNamed(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditEvent target = sealThreeBatches(jdbi).get(1).get(2);

        jdbi.useHandle(h -> h.execute("UPDATE audit_events SET outcome = 'success', status = 200, reason = NULL WHERE id = ?", target.id()));
        jdbi.useHandle(h -> h.execute("UPDATE audit_events SET client_address = '192.0.2.1' WHERE id = ?", target.id()));

        assertThat(verifier(jdbi).verify(null, null).findings())
                .containsExactly(new TrailFinding(EVENT_CHANGED, CHAIN, 2L, target.id(), "differs from what its batch sealed"));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aDeletedEventIsNamed(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditEvent target = sealThreeBatches(jdbi).get(0).get(1);

        jdbi.useHandle(h -> h.execute("DELETE FROM audit_events WHERE id = ?", target.id()));

        assertThat(verifier(jdbi).verify(null, null).findings())
                .containsExactly(new TrailFinding(EVENT_DELETED, CHAIN, 1L, target.id(), "sealed but not in the store"));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aDeletedBatchWithItsDigestIsAMissingDigest(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final List<List<AuditEvent>> batches = sealThreeBatches(jdbi);

        jdbi.useHandle(h -> {
            for (AuditEvent event : batches.get(1)) {
                h.execute("DELETE FROM audit_events WHERE id = ?", event.id());
            }
            h.execute("DELETE FROM audit_seals WHERE chain_id = ? AND seq = 2", CHAIN);
        });

        assertThat(verifier(jdbi).verify(null, null).findings())
                .containsExactly(new TrailFinding(DIGEST_MISSING, CHAIN, 2L, null, "no digest at seq 2"));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theLastBatchWithItsDigestDeletedIsAMissingDigestAtTheChainsEnd(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final List<List<AuditEvent>> batches = sealThreeBatches(jdbi);

        jdbi.useHandle(h -> {
            for (AuditEvent event : batches.get(2)) {
                h.execute("DELETE FROM audit_events WHERE id = ?", event.id());
            }
            h.execute("DELETE FROM audit_seals WHERE chain_id = ? AND seq = 3", CHAIN);
        });

        assertThat(verifier(jdbi).verify(null, null).findings())
                .containsExactly(new TrailFinding(DIGEST_MISSING, CHAIN, 3L, null, "no digest at seq 3"));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aForgedEventIsStoredOutsideAnySealedBatch(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        sealThreeBatches(jdbi);
        final AuditEvent forged = events(1, 11).get(0);

        new AuditStore(jdbi).insertAll(List.of(forged));  // a writer with no sealer, as plain SQL would

        assertThat(verifier(jdbi).verify(null, null).findings())
                .containsExactly(new TrailFinding(EVENT_UNSEALED, null, null, forged.id(), "stored outside any sealed batch"));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void reorderedDigestsAreOutOfOrder(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        sealThreeBatches(jdbi);

        jdbi.useHandle(h -> {
            h.execute("UPDATE audit_seals SET seq = -2 WHERE chain_id = ? AND seq = 2", CHAIN);
            h.execute("UPDATE audit_seals SET seq = 2 WHERE chain_id = ? AND seq = 3", CHAIN);
            h.execute("UPDATE audit_seals SET seq = 3 WHERE chain_id = ? AND seq = -2", CHAIN);
        });

        assertThat(verifier(jdbi).verify(null, null).findings()).containsExactlyInAnyOrder(
                new TrailFinding(DIGEST_OUT_OF_ORDER, CHAIN, 2L, null, "the digest at seq 2 was signed as seq 3"),
                new TrailFinding(DIGEST_OUT_OF_ORDER, CHAIN, 3L, null, "the digest at seq 3 was signed as seq 2"));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void swappedSignaturesAreBadSignatures(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        sealThreeBatches(jdbi);

        jdbi.useHandle(h -> {
            final String one = h.createQuery("SELECT signature FROM audit_seals WHERE seq = 1").mapTo(String.class).one();
            final String three = h.createQuery("SELECT signature FROM audit_seals WHERE seq = 3").mapTo(String.class).one();
            h.execute("UPDATE audit_seals SET signature = ? WHERE seq = 1", three);
            h.execute("UPDATE audit_seals SET signature = ? WHERE seq = 3", one);
        });

        assertThat(verifier(jdbi).verify(null, null).findings()).containsExactlyInAnyOrder(
                new TrailFinding(BAD_SIGNATURE, CHAIN, 1L, null, "the signature does not verify with " + KEY.keyId()),
                new TrailFinding(BAD_SIGNATURE, CHAIN, 3L, null, "the signature does not verify with " + KEY.keyId()));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aDigestRewrittenToMatchAChangedEventBreaksItsSignatureAndTheNextLink(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditEvent target = sealThreeBatches(jdbi).get(0).get(0);
        jdbi.useHandle(h -> h.execute("DELETE FROM audit_events WHERE id = ?", target.id()));
        // the administrator reseals batch 1 without the event, with a key of their own, and fixes the head
        final SealKey theirs = SealKey.generate();
        jdbi.useHandle(h -> {
            final Seal old = Seals.select(h.createQuery("SELECT " + Seals.COLUMNS + " FROM audit_seals WHERE seq = 1")).one();
            final List<AuditEvent> kept = h.createQuery("SELECT * FROM audit_events WHERE occurred_at <= ?")
                    .bind(0, old.lastAt().atOffset(ZoneOffset.UTC)).map(new io.authservice.audit.AuditEventMapper()).list();
            final byte[] members = SealMembers.of(kept);
            final Seal forged = new Seal(CHAIN, 1, Seal.BATCH, kept.size(), old.firstAt(), old.lastAt(),
                    SealKey.Sha256.hex(members), members, Seal.GENESIS, theirs.keyId(), null, old.sealedAt()).signedBy(theirs);
            h.execute("DELETE FROM audit_seals WHERE seq = 1");
            Seals.append(h, forged);
            h.execute("UPDATE audit_seal_chains SET head_seq = 3");
        });

        assertThat(verifier(jdbi).verify(null, null).findings()).containsExactlyInAnyOrder(
                new TrailFinding(UNKNOWN_KEY, CHAIN, 1L, null, "signed by " + theirs.keyId() + ", a key this verifier does not trust"),
                new TrailFinding(BROKEN_LINK, CHAIN, 2L, null, "its previous digest is not the digest of seq 1"));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aRestartedWriterContinuesItsChainAndTwoWritersKeepTwoChains(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        new AuditStore(jdbi, List.of(new BatchSealer(CHAIN, KEY, CLOCK))).insertAll(events(2, 0));
        // a new process: a new store and sealer, the same chain, a rotated key (the old one's public key kept)
        final SealKey rotated = SealKey.generate();
        new AuditStore(jdbi, List.of(new BatchSealer(CHAIN, rotated, CLOCK))).insertAll(events(2, 10));
        new AuditStore(jdbi, List.of(new BatchSealer("instance-b", KEY, CLOCK))).insertAll(events(2, 20));

        final TrailVerification result = new TrailVerifier(jdbi, RING.with(SealKeyRing.of(List.of(rotated.publicKey()))))
                .verify(null, null);

        assertThat(result.findings()).isEmpty();
        assertThat(result.chains()).isEqualTo(2);
        final List<String> rows = jdbi.withHandle(h -> h.createQuery("SELECT chain_id || '/' || seq FROM audit_seals"
                + " ORDER BY chain_id, seq").mapTo(String.class).list());
        assertThat(rows).containsExactly("instance-a/1", "instance-a/2", "instance-b/1");
        assertThat(new TrailVerifier(jdbi, RING).verify(null, null).findings()).extracting(TrailFinding::kind, TrailFinding::seq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(UNKNOWN_KEY, 2L));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aRangeChecksTheBatchesOverlappingItAndNamesAForgeryInside(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        sealThreeBatches(jdbi);
        final AuditEvent forged = events(1, 15).get(0);
        final AuditEvent forgedOutside = events(1, 25).get(0);
        new AuditStore(jdbi).insertAll(List.of(forged, forgedOutside));

        final TrailVerification result = verifier(jdbi).verify(NOW.plusMillis(11), NOW.plusMillis(19));

        assertThat(result.digests()).isEqualTo(1);
        assertThat(result.findings()).containsExactly(
                new TrailFinding(EVENT_UNSEALED, null, null, forged.id(), "stored outside any sealed batch"));
    }

    private static TrailVerifier verifier(Jdbi jdbi) {
        return new TrailVerifier(jdbi, RING);
    }

    private static List<AuditEvent> events(int n, int fromMillis) {
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.FAILURE, NOW.plusMillis(fromMillis + i).plusNanos(1500))
                    .reason("key_inactive").key(7L, "k7", "abcd1234").request("10.0.0.1", "ua", "GET", "/api/v1/whoami/")
                    .status(401).build());
        }
        return events;
    }

    private static Jdbi jdbi(String url) {
        final boolean h2 = url.startsWith("jdbc:h2:");
        return SqlObjects.prepare(Jdbi.create(url, h2 ? "auth" : TestPostgres.USER, h2 ? "" : TestPostgres.PASSWORD),
                AuditEventDAO.class);
    }

    static Jdbi migrated(Jdbi jdbi) {
        Migrations.apply(jdbi, AuditStore.CHANGELOG);
        return jdbi;
    }

    private static String h2Url() {
        try {
            return "jdbc:h2:file:" + Files.createTempDirectory("sealed-trail-test").resolve("auth") + ";MODE=PostgreSQL";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
