package io.authservice.audit.seal;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.audit.SqlObjects;
import io.authservice.audit.testing.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A writer's key is loaded once ({@link Sealing#of}) and shared by its chains and its purge records:
 * a key file replaced while the process runs changes nothing the process signs until it restarts.
 */
class SealingIntegrationTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void everyChainAndThePurgeRecordsSignWithTheOneKeyLoadedAtStart() throws Exception {
        final SealConfig config = new SealConfig();
        config.setKeyFile(dir.resolve("audit-seal.key"));
        final Sealing sealing = Sealing.of(config);
        final String keyId = sealing.key().orElseThrow().keyId();
        Files.delete(config.getKeyFile());  // a second load would make another key now

        final Jdbi jdbi = SealedTrailIntegrationTest.migrated(SqlObjects.prepare(Jdbi.create(TestPostgres.newDatabase(),
                TestPostgres.USER, TestPostgres.PASSWORD), AuditEventDAO.class));
        final SealedStores stores = sealing.stores(jdbi, CLOCK, List.of());
        stores.forChain("direct:a").insertAll(events(2, 0));
        stores.forChain("alerts:a").insertAll(events(1, 10));
        final SealedRetention retention = sealing.retention(jdbi, CLOCK);
        assertThat(retention.purge(NOW.plusSeconds(1), 1000).seals()).isEqualTo(2);

        assertThat(Files.exists(config.getKeyFile())).isFalse();
        final List<SealPurge> purges = jdbi.withHandle(SealedRetention::records);
        assertThat(purges).extracting(SealPurge::keyId).containsExactly(keyId, keyId);
        stores.forChain("direct:a").insertAll(events(1, 20));
        final List<String> sealKeys = jdbi.withHandle(h -> h.createQuery("SELECT key_id FROM audit_seals").mapTo(String.class).list());
        assertThat(sealKeys).containsExactly(keyId);
        assertThat(new TrailVerifier(jdbi, SealKeyRing.of(List.of(sealing.key().orElseThrow().publicKey())))
                .verify(null, null).ok()).isTrue();
    }

    @Test
    void sealingOffLoadsNoKeyAndNeitherSealsNorSignsPurges() {
        final SealConfig config = new SealConfig();
        config.setEnabled(false);
        config.setKeyFile(dir.resolve("audit-seal.key"));
        final Sealing sealing = Sealing.of(config);

        final Jdbi jdbi = SealedTrailIntegrationTest.migrated(SqlObjects.prepare(Jdbi.create(TestPostgres.newDatabase(),
                TestPostgres.USER, TestPostgres.PASSWORD), AuditEventDAO.class));
        sealing.stores(jdbi, CLOCK, List.of()).forChain("direct:a").insertAll(events(2, 0));

        assertThat(sealing.key()).isEmpty();
        assertThat(sealing.retention(jdbi, CLOCK)).isNull();
        assertThat(Files.exists(config.getKeyFile())).isFalse();
        final long seals = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_seals").mapTo(Long.class).one());
        final long events = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events").mapTo(Long.class).one());
        assertThat(seals).isZero();
        assertThat(events).isEqualTo(2);
    }

    private static List<AuditEvent> events(int n, int fromMillis) {
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, NOW.minusSeconds(60).plusMillis(fromMillis + i))
                    .key(7L, "k7", "abcd1234").request("10.0.0.1", "ua", "GET", "/api/v1/whoami/").status(200).build());
        }
        return events;
    }
}
