package io.authservice.core;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.api.AuditSummary;
import io.authservice.auditquery.AuditSearch;
import io.authservice.db.Databases;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lifetime policy (apiKeys.maxLifetime, expiryWarning), the daily api_key.expiring event claimed
 * once per key per day by the database, and report-leaked-key, against both real databases with a
 * settable clock.
 */
class ApiKeyLifetimeIntegrationTest {
    private static final Duration YEAR = Duration.ofDays(365);
    private static final Duration WARNING = Duration.ofDays(14);
    private static final Actor ACTOR = new Actor("tester", Actor.COMMAND);

    @TempDir
    Path dir;
    private final TestClock clock = new TestClock(Instant.parse("2026-06-01T12:00:00Z"));
    private final List<AuditEvent> events = Collections.synchronizedList(new ArrayList<>());

    private Jdbi jdbi(String database) {
        final TestDatabases.Db db = database.equals("postgres") ? TestDatabases.newPostgres() : TestDatabases.newH2(dir);
        final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        return jdbi;
    }

    private ApiKeyService keys(Jdbi jdbi, Duration max) {
        return new ApiKeyService(jdbi, new ApiKeySecrets(new SecureRandom()), clock, events::add, Scopes.INTERNAL_READ,
                "test", new ApiKeyService.Lifetimes(max, WARNING));
    }

    private ApiKeyExpiryWarnings warnings(Jdbi jdbi, String instance) {
        return new ApiKeyExpiryWarnings(jdbi, clock, WARNING, events::add, instance, new MetricRegistry());
    }

    private List<AuditEvent> of(String type) {
        synchronized (events) {
            return events.stream().filter(e -> e.type().equals(type)).toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aKeyCreatedWithoutAnExpiryGetsTheLongestLifetimeAndALongerOneIsRefused(String database) {
        final ApiKeyService keys = keys(jdbi(database), YEAR);

        final ApiKey unbounded = keys.create("no-expiry", List.of(), null, ACTOR).stored();
        final ApiKey shorter = keys.create("short", List.of(), Duration.ofDays(30), ACTOR).stored();
        final ApiKey exact = keys.create("exact", List.of(), YEAR, ACTOR).stored();

        assertThat(unbounded.expiresAt()).isEqualTo(clock.instant().plus(YEAR));
        assertThat(shorter.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
        assertThat(exact.expiresAt()).isEqualTo(clock.instant().plus(YEAR));
        assertThatThrownBy(() -> keys.create("too-long", List.of(), Duration.ofDays(366), ACTOR))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("a key may live at most 365d (apiKeys.maxLifetime); asked for 366d");
        assertThat(keys.list()).extracting(ApiKey::name).doesNotContain("too-long");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void withoutALongestLifetimeAKeyWithoutAnExpiryNeverExpires(String database) {
        final ApiKeyService keys = keys(jdbi(database), null);

        assertThat(keys.create("forever", List.of(), null, ACTOR).stored().expiresAt()).isNull();
        assertThat(keys.create("long", List.of(), Duration.ofDays(3650), ACTOR).stored().expiresAt())
                .isEqualTo(clock.instant().plus(Duration.ofDays(3650)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void rotationAndImportApplyTheLongestLifetime(String database) {
        final Jdbi jdbi = jdbi(database);
        // keys made before the policy: one that never expires, one with a two-year lifetime
        final ApiKeyService before = keys(jdbi, null);
        before.create("legacy-forever", List.of(), null, ACTOR);
        before.create("legacy-two-years", List.of(), Duration.ofDays(730), ACTOR);
        before.create("monthly", List.of(), Duration.ofDays(30), ACTOR);
        final ApiKeyService keys = keys(jdbi, YEAR);
        clock.advance(Duration.ofDays(3));

        final ApiKey forever = keys.rotate(KeyRef.of(null, "legacy-forever"), Duration.ZERO, ACTOR).successor().stored();
        final ApiKey twoYears = keys.rotate(KeyRef.of(null, "legacy-two-years"), Duration.ZERO, ACTOR).successor().stored();
        final ApiKey monthly = keys.rotate(KeyRef.of(null, "monthly"), Duration.ZERO, ACTOR).successor().stored();
        final ImportResult imported = keys.importKeys(List.of(new ImportedApiKey(2, "from-django",
                "0123456789abcdef0123456789abcdef01234567", true, Instant.parse("2023-01-01T00:00:00Z"))), List.of(), ACTOR);

        assertThat(forever.expiresAt()).isEqualTo(clock.instant().plus(YEAR));
        assertThat(twoYears.expiresAt()).isEqualTo(clock.instant().plus(YEAR));
        assertThat(monthly.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
        // counted from the import: a key made years ago in the original does not arrive expired
        assertThat(imported.imported()).singleElement().satisfies(key -> {
            assertThat(key.createdAt()).isEqualTo(Instant.parse("2023-01-01T00:00:00Z"));
            assertThat(key.expiresAt()).isEqualTo(clock.instant().plus(YEAR));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aRotatedKeyCarriesBothItsPolicyAndTheLifetimeRule(String database) {
        final Jdbi jdbi = jdbi(database);
        final KeyPolicy policy = KeyPolicy.parse("10.0.0.0/8,2001:db8::/32", "600/1m");
        keys(jdbi, null).create("guarded", List.of(), null, policy, ACTOR);
        final ApiKeyService keys = keys(jdbi, YEAR);
        clock.advance(Duration.ofDays(1));

        final ApiKey successor = keys.rotate(KeyRef.of(null, "guarded"), Duration.ZERO, ACTOR).successor().stored();

        assertThat(successor.policy()).isEqualTo(policy);
        assertThat(successor.expiresAt()).isEqualTo(clock.instant().plus(YEAR));
        assertThat(keys.list()).filteredOn(key -> key.id() == successor.id()).singleElement()
                .satisfies(stored -> assertThat(stored.policy()).isEqualTo(policy));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void onlyActiveKeysExpiringWithinTheWarningAreExpiringAndInTheSummary(String database) {
        final Jdbi jdbi = jdbi(database);
        final ApiKeyService keys = keys(jdbi, null);
        final ApiKey soon = keys.create("soon", List.of(), Duration.ofDays(10), ACTOR).stored();
        final ApiKey later = keys.create("later", List.of(), Duration.ofDays(20), ACTOR).stored();
        keys.create("never", List.of(), null, ACTOR);
        keys.create("expired", List.of(), Duration.ofDays(1), ACTOR);
        final ApiKey off = keys.create("deactivated", List.of(), Duration.ofDays(5), ACTOR).stored();
        keys.deactivate(new KeyRef(off.id(), null), ACTOR);
        clock.advance(Duration.ofDays(1).plusHours(1));

        assertThat(keys.expiring()).extracting(ApiKey::name).containsExactly("soon");
        clock.advance(Duration.ofDays(5));  // "later" is now 13 days 23 hours from its end
        assertThat(keys.expiring()).extracting(ApiKey::name).containsExactly("soon", "later");

        final AuditSummary summary = new AuditSearch(jdbi, clock, WARNING)
                .summary(clock.instant().minus(Duration.ofDays(1)), clock.instant(), 30);
        assertThat(summary.expiryWarningDays()).isEqualTo(14);
        assertThat(summary.expiringKeys()).extracting(AuditSummary.ExpiringKey::keyId).containsExactly(soon.id(), later.id());
        assertThat(summary.expiringKeys().get(0).expiresAt()).isEqualTo(soon.expiresAt());
        assertThat(summary.expiringKeys().get(0).keyPrefix()).isEqualTo(soon.prefix());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void twoInstancesAndARestartRecordOneExpiringEventPerKeyPerDay(String database) {
        final Jdbi jdbi = jdbi(database);
        final ApiKeyService keys = keys(jdbi, null);
        final ApiKey soon = keys.create("soon", List.of(), Duration.ofDays(3), ACTOR).stored();
        keys.create("later", List.of(), Duration.ofDays(30), ACTOR);
        final ApiKeyExpiryWarnings a = warnings(jdbi, "a");
        final ApiKeyExpiryWarnings b = warnings(jdbi, "b");

        assertThat(a.run()).extracting(ApiKey::id).containsExactly(soon.id());
        assertThat(b.run()).isEmpty();
        assertThat(a.run()).isEmpty();
        assertThat(warnings(jdbi, "a-restarted").run()).isEmpty();
        clock.advance(Duration.ofHours(11).plusMinutes(59));  // 23:59 UTC, still the same day
        assertThat(b.run()).isEmpty();

        assertThat(of(AuditEventTypes.API_KEY_EXPIRING)).singleElement().satisfies(event -> {
            assertThat(event.keyId()).isEqualTo(soon.id());
            assertThat(event.keyName()).isEqualTo("soon");
            assertThat(event.keyPrefix()).isEqualTo(soon.prefix());
            assertThat(event.outcome()).isEqualTo(AuditEvent.SUCCESS);
            assertThat(event.instanceId()).isEqualTo("a");
        });

        clock.advance(Duration.ofMinutes(2));  // the next day
        assertThat(b.run()).extracting(ApiKey::id).containsExactly(soon.id());
        assertThat(a.run()).isEmpty();
        assertThat(of(AuditEventTypes.API_KEY_EXPIRING)).hasSize(2);

        clock.advance(Duration.ofDays(3));  // expired: no more warnings
        assertThat(a.run()).isEmpty();
        assertThat(b.run()).isEmpty();
        assertThat(of(AuditEventTypes.API_KEY_EXPIRING)).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void instancesRacingForTheSameDayRecordOneEventPerKey(String database) throws Exception {
        final Jdbi jdbi = jdbi(database);
        final ApiKeyService keys = keys(jdbi, null);
        for (int i = 0; i < 20; i++) {
            keys.create("racing-" + i, List.of(), Duration.ofDays(2), ACTOR);
        }
        final List<ApiKeyExpiryWarnings> instances = List.of(warnings(jdbi, "a"), warnings(jdbi, "b"),
                warnings(jdbi, "c"), warnings(jdbi, "d"));
        final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(instances.size());
        try {
            final java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            final List<java.util.concurrent.Future<List<ApiKey>>> runs = new ArrayList<>();
            for (ApiKeyExpiryWarnings instance : instances) {
                runs.add(pool.submit(() -> {
                    start.await();
                    return instance.run();
                }));
            }
            start.countDown();
            int warned = 0;
            for (java.util.concurrent.Future<List<ApiKey>> run : runs) {
                warned += run.get(60, java.util.concurrent.TimeUnit.SECONDS).size();
            }
            assertThat(warned).isEqualTo(20);
        } finally {
            pool.shutdownNow();
        }
        assertThat(of(AuditEventTypes.API_KEY_EXPIRING)).hasSize(20)
                .extracting(AuditEvent::keyId).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aReportedLeakedKeyIsDeactivatedWithTheReporterAsActorAndTheTrailNeverHoldsTheKey(String database) {
        final Jdbi jdbi = jdbi(database);
        final ApiKeyService keys = keys(jdbi, null);
        final CreatedApiKey leaked = keys.create("leaky", List.of(), null, ACTOR);
        final LeakedKeys leaks = new LeakedKeys(jdbi, keys, value -> "fp:" + value.length(), clock, events::add, "test");
        final Actor reporter = new Actor("alice", Actor.API);
        events.clear();

        assertThat(leaks.report(leaked.key(), reporter)).isEqualTo(LeakedKeys.Outcome.DEACTIVATED);
        assertThat(keys.resolve(new KeyRef(leaked.stored().id(), null)).active()).isFalse();
        assertThat(of(AuditEventTypes.API_KEY_DEACTIVATED)).singleElement()
                .satisfies(event -> assertThat(event.actor()).isEqualTo("alice"));
        assertThat(of(AuditEventTypes.API_KEY_LEAKED)).singleElement().satisfies(event -> {
            assertThat(event.outcome()).isEqualTo(AuditEvent.SUCCESS);
            assertThat(event.keyId()).isEqualTo(leaked.stored().id());
            assertThat(event.fingerprint()).isEqualTo("fp:40");
            assertThat(event.actor()).isEqualTo("alice");
            assertThat(event.surface()).isEqualTo(Actor.API);
        });

        // again: already inactive, nothing more deactivated, the report still recorded
        assertThat(leaks.report(leaked.key(), reporter)).isEqualTo(LeakedKeys.Outcome.ALREADY_INACTIVE);
        assertThat(of(AuditEventTypes.API_KEY_DEACTIVATED)).hasSize(1);
        assertThat(of(AuditEventTypes.API_KEY_LEAKED)).hasSize(2);

        // a well-formed key that is not ours
        final String stranger = new ApiKeySecrets(new SecureRandom(), ApiKeySecrets.Format.prefixed, "other").generate();
        assertThat(leaks.report(stranger, reporter)).isEqualTo(LeakedKeys.Outcome.UNKNOWN);
        assertThat(of(AuditEventTypes.API_KEY_LEAKED).get(2)).satisfies(event -> {
            assertThat(event.outcome()).isEqualTo(AuditEvent.FAILURE);
            assertThat(event.reason()).isEqualTo(AuditReasons.UNKNOWN);
            assertThat(event.keyId()).isNull();
            assertThat(event.fingerprint()).isEqualTo("fp:" + stranger.length());
        });
        synchronized (events) {
            assertThat(events).allSatisfy(event -> assertThat(event.toString())
                    .doesNotContain(leaked.key()).doesNotContain(stranger));
        }

        assertThatThrownBy(() -> leaks.report(leaked.key().substring(1), reporter))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'key' is not an API key");
        assertThatThrownBy(() -> leaks.report(" ", reporter))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'key' is required");
    }
}
