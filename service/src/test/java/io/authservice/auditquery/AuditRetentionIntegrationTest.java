package io.authservice.auditquery;

import com.codahale.metrics.Counter;
import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.audit.DeadLetter;
import io.authservice.auth.KeyFingerprints;
import io.authservice.db.Databases;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service with the {@code direct} sink keeps the store to {@code audit.retentionDays} by itself,
 * daily by its clock; the purge task defaults to the setting. Also: with no fingerprint secret
 * configured, one is generated into its file, owner-only, and fingerprints use it.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditRetentionIntegrationTest {
    private static final Path DIR = TestApps.tempDir();
    private static final TestDatabases.Db DB = TestDatabases.newH2(DIR);
    private static final Path SECRET_FILE = DIR.resolve("secrets").resolve("audit-fingerprint-secret");
    /** Where the service's clock will stand when it starts ({@link TestClock#fromSystem()}: a running service's clock). */
    private static final Instant STARTED = TestClock.fromSystem().instant();
    /** In the store before the service starts: the first is past the retention period, the second not. */
    private static final List<AuditEvent> BEFORE_START = storeBeforeStart(
            eventAt(STARTED.minus(Duration.ofDays(40))), eventAt(STARTED.minus(Duration.ofDays(20))));
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeConfig(DB, DIR, "audit:",
            "  sink: direct",
            "  retentionDays: 30",
            "  retentionCheckInterval: 100ms",
            "  fingerprintSecretFile: \"" + SECRET_FILE + "\""));

    private final Jdbi jdbi = jdbi();

    private static Jdbi jdbi() {
        return Databases.configure(Jdbi.create(DB.url(), DB.user(), DB.password()));
    }

    private static List<AuditEvent> storeBeforeStart(AuditEvent... events) {
        final Jdbi jdbi = jdbi();
        Databases.migrate(jdbi);
        new AuditStore(jdbi).insertAll(List.of(events));
        return List.of(events);
    }

    private boolean stored(AuditEvent event) {
        return jdbi.withExtension(AuditEventDAO.class, dao -> dao.find(event.id())).isPresent();
    }

    private long deadLetters() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_dead_letters").mapTo(Long.class).one());
    }

    private static AuditEvent eventAt(Instant at) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, at).build();
    }

    private TestAuthServiceApplication application() {
        return (TestAuthServiceApplication) APP.getApplication();
    }

    @Test
    void theWriterPurgesOnceADayAndTheTaskDefaultsToTheSetting() {
        final Counter purged = APP.getEnvironment().metrics().counter("audit.purged");
        // shortly after start, the first purge
        await().atMost(Duration.ofSeconds(10)).until(() -> !stored(BEFORE_START.get(0)));
        assertThat(stored(BEFORE_START.get(1))).isTrue();
        assertThat(purged.getCount()).isEqualTo(1);

        // the next one a day later
        final Instant now = application().testClock().instant();
        final AuditEvent old = eventAt(now.minus(Duration.ofDays(40)));
        final AuditEvent young = eventAt(now.minus(Duration.ofDays(20)));
        new AuditStore(jdbi).write(List.of(old, young), List.of(
                new DeadLetter("t", 0, 1, 0, null, null, "bad", now.minus(Duration.ofDays(40))),
                new DeadLetter("t", 0, 2, 0, null, null, "bad", now.minus(Duration.ofDays(20)))));

        // a day later by the service's clock, the writer purges by itself
        application().testClock().advance(Duration.ofDays(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> purged.getCount() == 2 && deadLetters() == 1);
        assertThat(stored(old)).isFalse();
        assertThat(stored(young)).isTrue();

        // the task without older_than_days uses audit.retentionDays (30), by the same clock; the daily
        // job is not due again for a day
        final AuditEvent stale = eventAt(now.minus(Duration.ofDays(35)));
        new AuditStore(jdbi).insert(stale);
        final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());
        final JsonNode dry = admin.json("purge-audit-events", Map.of("dry_run", "true"));
        assertThat(dry.get("older_than_days").asInt()).isEqualTo(30);
        assertThat(Instant.parse(dry.get("cutoff").asText())).isAfter(now.minus(Duration.ofDays(29)).minus(Duration.ofMinutes(1)));
        assertThat(dry.get("events").asLong()).isEqualTo(1);
        assertThat(stored(stale)).isTrue();
        final JsonNode done = admin.json("purge-audit-events", Map.of());
        assertThat(done.get("events").asLong()).isEqualTo(1);
        assertThat(done.get("dead_letters").asLong()).isZero();
        assertThat(stored(stale)).isFalse();
        assertThat(stored(young)).isTrue();
        assertThat(purged.getCount()).isEqualTo(3);
    }

    @Test
    void withoutAConfiguredSecretOneIsGeneratedOwnerOnlyAndUsed() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(SECRET_FILE))).isEqualTo("rw-------");
        final String secret = Files.readString(SECRET_FILE, StandardCharsets.UTF_8).trim();
        assertThat(secret).matches("[0-9a-f]{64}");

        final String bad = "e".repeat(40);
        assertThat(new Http(APP.getLocalPort()).get("/api/v1/whoami/", "X-API-Key", bad).status()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(10)).until(() -> !application().audit().matching(
                e -> AuditEventTypes.API_KEY_REJECTED.equals(e.type())).isEmpty());
        assertThat(application().audit().matching(e -> AuditEventTypes.API_KEY_REJECTED.equals(e.type())))
                .extracting(AuditEvent::fingerprint).containsExactly(new KeyFingerprints(secret).of(bad));
    }
}
