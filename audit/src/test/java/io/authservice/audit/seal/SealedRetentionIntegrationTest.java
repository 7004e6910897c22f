package io.authservice.audit.seal;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditMinuteCounts;
import io.authservice.audit.AuditPurger;
import io.authservice.audit.AuditStore;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static io.authservice.audit.seal.TrailFinding.Kind.BAD_SIGNATURE;
import static io.authservice.audit.seal.TrailFinding.Kind.BROKEN_LINK;
import static io.authservice.audit.seal.TrailFinding.Kind.DIGEST_MISSING;
import static io.authservice.audit.seal.TrailFinding.Kind.EVENT_DELETED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention over the sealed trail, on H2 and PostgreSQL: whole batches go with a signed purge record,
 * the trail still verifies, and tampering in the kept range or with the record is still named.
 */
class SealedRetentionIntegrationTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final SealKey KEY = SealKey.generate();
    private static final SealKeyRing RING = SealKeyRing.of(List.of(KEY.publicKey()));
    private static final String CHAIN = "direct:instance-a";
    /** One day after the cutoff NOW + 20 min: a purge of what is older than one day cuts there. */
    private static final Clock PURGE_CLOCK = Clock.fixed(NOW.plus(Duration.ofMinutes(20)).plus(Duration.ofDays(1)).plusSeconds(7),
            ZoneOffset.UTC);
    private static final Instant CUTOFF = NOW.plus(Duration.ofMinutes(20));

    /** The batches of {@link #trail}: seqs 1 to 5. */
    private record Trail(List<AuditEvent> a, List<AuditEvent> b, List<AuditEvent> c, List<AuditEvent> d, List<AuditEvent> e,
                         AuditEvent unsealed) {
    }

    /**
     * Seq 1 and 2 wholly before the cutoff; 3 straddles it; 4 is before it but after 3 in the chain;
     * 5 after it; and one old event no batch holds (older unsealed history).
     */
    private static Trail trail(Jdbi jdbi) {
        final AuditStore store = new AuditStore(jdbi, List.of(new AuditMinuteCounts(),
                new BatchSealer(CHAIN, KEY, Clock.fixed(NOW, ZoneOffset.UTC))));
        final AuditEvent unsealed = event(5);
        new AuditStore(jdbi, List.of(new AuditMinuteCounts())).insertAll(List.of(unsealed));
        final Trail trail = new Trail(List.of(event(0), event(1), event(2)), List.of(event(10), event(11), event(12)),
                List.of(event(19), event(21)), List.of(event(18)), List.of(event(30)), unsealed);
        for (List<AuditEvent> batch : List.of(trail.a(), trail.b(), trail.c(), trail.d(), trail.e())) {
            store.insertAll(batch);
        }
        return trail;
    }

    private static AuditPurger purger(Jdbi jdbi) {
        return new AuditPurger(new AuditStore(jdbi), new SealedRetention(jdbi, KEY, PURGE_CLOCK), PURGE_CLOCK,
                new MetricRegistry(), 2);
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void retentionRemovesWholeBatchesLeavesASignedRecordAndTheTrailVerifies(Supplier<Jdbi> database) {
        final Jdbi jdbi = SealedTrailIntegrationTest.migrated(database.get());
        final Trail trail = trail(jdbi);

        final AuditPurger.Result dryRun = purger(jdbi).purge(1, true);
        final AuditPurger.Result result = purger(jdbi).purge(1, false);

        assertThat(result.cutoff()).isEqualTo(CUTOFF);
        assertThat(result.events()).isEqualTo(7).isEqualTo(dryRun.events());  // batches 1 and 2, and the unsealed event
        assertThat(ids(jdbi)).containsExactlyInAnyOrder(trail.c().get(0).id(), trail.c().get(1).id(), trail.d().get(0).id(),
                trail.e().get(0).id());
        assertThat(longs(jdbi, "SELECT seq FROM audit_seals ORDER BY seq"))
                .containsExactly(3L, 4L, 5L);
        final SealPurge record = jdbi.withHandle(h -> SealedRetention.record(h, CHAIN)).orElseThrow();
        assertThat(record.lastSeq()).isEqualTo(2);
        assertThat(record.cutoff()).isEqualTo(CUTOFF);
        assertThat(record.keyId()).isEqualTo(KEY.keyId());
        // the per-minute counts of the purged minutes are gone, the later ones stay
        assertThat(longs(jdbi, "SELECT COUNT(*) FROM audit_minute_counts WHERE minute_at < TIMESTAMP WITH TIME ZONE '"
                + CUTOFF + "'")).containsExactly(0L);
        assertThat(longs(jdbi, "SELECT COUNT(*) FROM audit_minute_counts").get(0)).isPositive();

        final TrailVerification verified = new TrailVerifier(jdbi, RING).verify(null, null);
        assertThat(verified.findings()).isEmpty();
        assertThat(verified.digests()).isEqualTo(3);
        assertThat(verified.events()).isEqualTo(4);
        // a second purge at the same time finds nothing more, and the trail still verifies
        assertThat(purger(jdbi).purge(1, false).events()).isZero();
        assertThat(new TrailVerifier(jdbi, RING).verify(null, null).ok()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void aDeletionInTheKeptRangeIsStillNamedAfterRetention(Supplier<Jdbi> database) {
        final Jdbi jdbi = SealedTrailIntegrationTest.migrated(database.get());
        final Trail trail = trail(jdbi);
        purger(jdbi).purge(1, false);

        jdbi.useHandle(h -> h.execute("DELETE FROM audit_events WHERE id = ?", trail.e().get(0).id()));

        assertThat(new TrailVerifier(jdbi, RING).verify(null, null).findings())
                .containsExactly(new TrailFinding(EVENT_DELETED, CHAIN, 5L, trail.e().get(0).id(), "sealed but not in the store"));
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void aPurgeRecordMovedForwardToHideADeletedBatchIsNamed(Supplier<Jdbi> database) {
        final Jdbi jdbi = SealedTrailIntegrationTest.migrated(database.get());
        final Trail trail = trail(jdbi);
        purger(jdbi).purge(1, false);

        // an administrator deletes batch 3 with its seal and moves the record past it
        jdbi.useHandle(h -> {
            for (AuditEvent event : trail.c()) {
                h.execute("DELETE FROM audit_events WHERE id = ?", event.id());
            }
            h.execute("DELETE FROM audit_seals WHERE seq = 3");
            h.execute("UPDATE audit_seal_purges SET last_seq = 3");
        });

        assertThat(new TrailVerifier(jdbi, RING).verify(null, null).findings()).containsExactlyInAnyOrder(
                new TrailFinding(BAD_SIGNATURE, CHAIN, 3L, null, "the purge record's signature does not verify with " + KEY.keyId()),
                new TrailFinding(BROKEN_LINK, CHAIN, 4L, null, "its previous digest is not the digest of seq 3 that the purge record names"));
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void aRemovedPurgeRecordLeavesTheChainsStartMissing(Supplier<Jdbi> database) {
        final Jdbi jdbi = SealedTrailIntegrationTest.migrated(database.get());
        trail(jdbi);
        purger(jdbi).purge(1, false);

        jdbi.useHandle(h -> h.execute("DELETE FROM audit_seal_purges"));

        assertThat(new TrailVerifier(jdbi, RING).verify(null, null).findings())
                .containsExactly(new TrailFinding(DIGEST_MISSING, CHAIN, 1L, null, "no digests at seq 1 to 2"));
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.seal.SealedTrailIntegrationTest#databases")
    void aPurgeRecordSignedByAnUntrustedKeyIsNamed(Supplier<Jdbi> database) {
        final Jdbi jdbi = SealedTrailIntegrationTest.migrated(database.get());
        trail(jdbi);
        final SealKey theirs = SealKey.generate();
        new AuditPurger(new AuditStore(jdbi), new SealedRetention(jdbi, theirs, PURGE_CLOCK), PURGE_CLOCK,
                new MetricRegistry(), 100).purge(1, false);

        assertThat(new TrailVerifier(jdbi, RING).verify(null, null).findings()).containsExactly(new TrailFinding(
                TrailFinding.Kind.UNKNOWN_KEY, CHAIN, 2L, null, "the purge record is signed by " + theirs.keyId()
                        + ", a key this verifier does not trust"));
    }

    private static List<Long> longs(Jdbi jdbi, String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).list());
    }

    private static List<java.util.UUID> ids(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM audit_events").mapTo(java.util.UUID.class).list());
    }

    private static AuditEvent event(int minutes) {
        final List<AuditEvent> one = new ArrayList<>();
        one.add(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, NOW.plus(Duration.ofMinutes(minutes)).plusMillis(one.size()))
                .key(7L, "k7", "abcd1234").request("10.0.0.1", "ua", "GET", "/api/v1/whoami/").status(200).build());
        return one.get(0);
    }
}
