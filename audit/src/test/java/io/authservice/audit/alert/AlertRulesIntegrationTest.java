package io.authservice.audit.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.audit.seal.SealKeyRing;
import io.authservice.audit.seal.TrailVerification;
import io.authservice.audit.seal.TrailVerifier;
import io.authservice.audit.testing.TestPostgres;
import io.dropwizard.util.Duration;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each alert rule on H2 and PostgreSQL, driven by the events' own times: what raises an alert, what does
 * not, one alert per (rule, subject, window) across batches and writers, the alert.raised event stored
 * and sealed in the same transaction, and its outbox row.
 */
class AlertRulesIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AlertConfig config() {
        final AlertConfig config = new AlertConfig();
        config.setEnabled(true);
        config.getFailureBurst().setThreshold(5);
        config.getFailureBurst().setWindow(Duration.minutes(1));
        config.getRetiredKey().setGrace(Duration.hours(1));
        config.getRetiredKey().setRepeatEvery(Duration.days(1));
        config.getNewAddressRange().setDays(30);
        return config;
    }

    private static AuditEvent failure(Instant at, String address, String fingerprint) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, at).reason(AuditReasons.UNKNOWN)
                .request(address, "curl", "GET", "/api/v1/whoami").fingerprint(fingerprint).build();
    }

    private static AuditEvent refused(Instant at, long keyId, String reason, String fingerprint) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, at).reason(reason)
                .key(keyId, "svc-" + keyId, "abcd1234").request("203.0.113.9", "curl", "GET", "/api/v1/whoami")
                .fingerprint(fingerprint).build();
    }

    private static AuditEvent used(Instant at, long keyId, String address) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, at).key(keyId, "svc-" + keyId, "abcd1234")
                .request(address, "curl", "GET", "/api/v1/whoami").status(200).build();
    }

    private static AuditEvent lifecycle(Instant at, String type, long keyId) {
        return AuditEvent.builder(type, AuditEvent.SUCCESS, at).key(keyId, "svc-" + keyId, "abcd1234").actor("admin", "task").build();
    }

    private static List<AuditEvent> failures(Instant at, String address, int n) {
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(failure(at.plusMillis(i), address, null));
        }
        return events;
    }

    record Raised(String rule, String subject, Instant windowStart, JsonNode body) {
    }

    private static List<Raised> alerts(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT rule, subject, window_start, body FROM audit_alerts ORDER BY rule, subject, window_start")
                .map((rs, ctx) -> {
                    try {
                        return new Raised(rs.getString(1), rs.getString(2), rs.getObject(3, java.time.OffsetDateTime.class).toInstant(),
                                JSON.readTree(rs.getString(4)));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }).list());
    }

    private static List<AuditEvent> raisedEvents(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, reason, client_address, key_id, fingerprint, user_id FROM audit_events"
                        + " WHERE type = 'alert.raised' ORDER BY id")
                .map((rs, ctx) -> AuditEvent.builder(AuditEventTypes.ALERT_RAISED, AuditEvent.SUCCESS, T0).reason(rs.getString(2))
                        .request(rs.getString(3), null, null, null).key((Long) rs.getObject(4), null, null)
                        .fingerprint(rs.getString(5)).build()).list());
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void aBurstOfFailuresAcrossBatchesAndWritersRaisesOneAlertPerWindow(Supplier<Jdbi> database) {
        final Jdbi jdbi = database.get();
        final SettableClock clock = new SettableClock(T0);
        final AlertTestStores.Writer a = AlertTestStores.writer(jdbi, config(), "a", clock);
        final AlertTestStores.Writer b = AlertTestStores.writer(jdbi, config(), "b", clock);

        a.store().insertAll(failures(T0, "198.51.100.7", 3));
        assertThat(alerts(jdbi)).isEmpty();
        b.store().insertAll(failures(T0.plusSeconds(10), "198.51.100.7", 3));  // 6 in the window: over 5
        a.store().insertAll(failures(T0.plusSeconds(20), "198.51.100.7", 4));  // more in the same window: no second alert
        a.store().insertAll(failures(T0.plusSeconds(30), "198.51.100.8", 4));  // another address, under the threshold
        b.store().insertAll(failures(T0.plusSeconds(61), "198.51.100.7", 5));  // the next window: a second alert

        final List<Raised> raised = alerts(jdbi);
        assertThat(raised).extracting(Raised::rule, Raised::subject, Raised::windowStart).containsExactly(
                org.assertj.core.groups.Tuple.tuple(AlertRules.FAILURE_BURST, "address:198.51.100.7", T0),
                org.assertj.core.groups.Tuple.tuple(AlertRules.FAILURE_BURST, "address:198.51.100.7", T0.plusSeconds(60)));
        assertThat(raised.get(0).body().get("count").asLong()).isEqualTo(6);
        assertThat(raised.get(0).body().get("threshold").asLong()).isEqualTo(5);
        assertThat(raised.get(0).body().get("window_end").asText()).isEqualTo(T0.plusSeconds(60).toString());
        assertThat(raised.get(0).body().get("event").get("client_address").asText()).isEqualTo("198.51.100.7");
        // each alert is an alert.raised event in the store, with the rule as reason and the subject in its column
        assertThat(raisedEvents(jdbi)).extracting(AuditEvent::reason, AuditEvent::clientAddress)
                .containsOnly(org.assertj.core.groups.Tuple.tuple(AlertRules.FAILURE_BURST, "198.51.100.7")).hasSize(2);
        // ... counted per minute, and sealed: the whole trail verifies
        final TrailVerification verification = new TrailVerifier(jdbi, SealKeyRing.of(List.of(AlertTestStores.KEY.publicKey())))
                .verify(null, null);
        assertThat(verification.findings()).isEmpty();
        final long counted = jdbi.withHandle(h -> h.createQuery("SELECT SUM(events) FROM audit_minute_counts WHERE type = 'alert.raised'")
                .mapTo(Long.class).one());
        assertThat(counted).isEqualTo(2);
        // a batch stored again is evaluated again by nobody: no new alert
        a.store().insertAll(failures(T0.plusSeconds(61), "198.51.100.7", 5));
        assertThat(alerts(jdbi)).hasSize(2);
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void aBurstWithOneFingerprintFromManyAddressesIsABurstOfThatFingerprint(Supplier<Jdbi> database) {
        final Jdbi jdbi = database.get();
        final AlertTestStores.Writer a = AlertTestStores.writer(jdbi, config(), "a", new SettableClock(T0));
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(failure(T0.plusSeconds(i), "192.0.2." + i, "f00dfeed"));
        }
        a.store().insertAll(events);
        assertThat(alerts(jdbi)).extracting(Raised::subject).containsExactly("fingerprint:f00dfeed");
        assertThat(raisedEvents(jdbi)).extracting(AuditEvent::fingerprint).containsExactly("f00dfeed");
    }

    @Test
    void twoWritersRacingOnPostgresRaiseEachBurstOnce() throws Exception {
        final Jdbi jdbi = AlertTestStores.migrated(TestPostgres.newDatabase());
        final SettableClock clock = new SettableClock(T0);
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            final List<Future<?>> done = new ArrayList<>();
            for (String name : List.of("a", "b")) {
                final AlertTestStores.Writer writer = AlertTestStores.writer(jdbi, config(), name, clock);
                done.add(pool.submit(() -> {
                    for (int batch = 0; batch < 20; batch++) {
                        writer.store().insertAll(failures(T0.plusSeconds(batch * 6L), "198.51.100." + (batch % 3), 2));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // 120 s of failures: two windows, three addresses, each far over 5 in each window
        assertThat(alerts(jdbi)).hasSize(6).extracting(Raised::rule).containsOnly(AlertRules.FAILURE_BURST);
        assertThat(raisedEvents(jdbi)).hasSize(6);
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void aRetiredKeyTriedAfterTheGraceRaisesAnAlertOncePerDay(Supplier<Jdbi> database) {
        final Jdbi jdbi = database.get();
        final AlertTestStores.Writer a = AlertTestStores.writer(jdbi, config(), "a", new SettableClock(T0));
        // key 7 deactivated at T0; tried 10 minutes later (within the grace), then 2 h and 3 h later
        a.store().insertAll(List.of(lifecycle(T0, AuditEventTypes.API_KEY_DEACTIVATED, 7)));
        a.store().insertAll(List.of(refused(T0.plusSeconds(600), 7, AuditReasons.INACTIVE, "fp7")));
        assertThat(alerts(jdbi)).isEmpty();
        a.store().insertAll(List.of(refused(T0.plusSeconds(7200), 7, AuditReasons.INACTIVE, "fp7"),
                refused(T0.plusSeconds(7201), 7, AuditReasons.INACTIVE, "fp7")));
        a.store().insertAll(List.of(refused(T0.plusSeconds(10800), 7, AuditReasons.INACTIVE, "fp7")));
        assertThat(alerts(jdbi)).extracting(Raised::rule, Raised::subject).containsExactly(
                org.assertj.core.groups.Tuple.tuple(AlertRules.RETIRED_KEY_USED, "key:7"));
        assertThat(alerts(jdbi).get(0).body().get("count").asLong()).isEqualTo(2);

        // key 8 expired (no lifecycle event): the grace runs from its first refusal
        a.store().insertAll(List.of(refused(T0, 8, AuditReasons.EXPIRED, "fp8")));
        a.store().insertAll(List.of(refused(T0.plusSeconds(1800), 8, AuditReasons.EXPIRED, "fp8")));
        assertThat(alerts(jdbi)).extracting(Raised::subject).containsExactly("key:7");
        a.store().insertAll(List.of(refused(T0.plusSeconds(3600), 8, AuditReasons.EXPIRED, "fp8")));
        assertThat(alerts(jdbi)).extracting(Raised::subject).containsExactly("key:7", "key:8");

        // key 7 is then deleted: presented the next day it is unknown, known by its fingerprint
        a.store().insertAll(List.of(lifecycle(T0.plusSeconds(20000), AuditEventTypes.API_KEY_DELETED, 7)));
        a.store().insertAll(List.of(failure(T0.plusSeconds(86400 + 60), "203.0.113.9", "fp7")));
        assertThat(alerts(jdbi)).extracting(Raised::subject, Raised::windowStart).containsExactly(
                org.assertj.core.groups.Tuple.tuple("key:7", T0.truncatedTo(java.time.temporal.ChronoUnit.DAYS)),
                org.assertj.core.groups.Tuple.tuple("key:7", T0.truncatedTo(java.time.temporal.ChronoUnit.DAYS).plusSeconds(86400)),
                org.assertj.core.groups.Tuple.tuple("key:8", T0.truncatedTo(java.time.temporal.ChronoUnit.DAYS)));
        // an unknown key no retired key was presented as: nothing
        a.store().insertAll(List.of(failure(T0.plusSeconds(86400 * 3), "203.0.113.9", "never-seen")));
        assertThat(alerts(jdbi)).hasSize(3);
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void aKeyUsedFromANewRangeRaisesAnAlertButItsFirstUseDoesNot(Supplier<Jdbi> database) {
        final Jdbi jdbi = database.get();
        final AlertTestStores.Writer a = AlertTestStores.writer(jdbi, config(), "a", new SettableClock(T0));
        a.store().insertAll(List.of(used(T0, 9, "10.1.2.3"), used(T0.plusSeconds(1), 9, "10.1.2.200")));
        a.store().insertAll(List.of(used(T0.plusSeconds(60), 9, "10.1.2.4")));
        assertThat(alerts(jdbi)).isEmpty();  // its first range, then the same /24
        a.store().insertAll(List.of(used(T0.plusSeconds(120), 9, "2001:db8:1:2::5")));
        a.store().insertAll(List.of(used(T0.plusSeconds(180), 9, "2001:db8:1:ffff::1")));  // the same /48
        assertThat(alerts(jdbi)).extracting(Raised::rule, Raised::subject).containsExactly(
                org.assertj.core.groups.Tuple.tuple(AlertRules.NEW_ADDRESS_RANGE, "key:9 range:2001:db8:1:0:0:0:0:0/48"));
        assertThat(raisedEvents(jdbi)).extracting(AuditEvent::keyId, AuditEvent::clientAddress)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(9L, "2001:db8:1:2::5"));

        // unused for 31 days: the key is learnt again, its first range raises nothing; a second range then does
        final Instant later = T0.plus(java.time.Duration.ofDays(31));
        a.store().insertAll(List.of(used(later, 9, "172.16.0.1")));
        assertThat(alerts(jdbi)).hasSize(1);
        a.store().insertAll(List.of(used(later.plusSeconds(7200), 9, "10.1.2.3")));  // last seen 31 days ago: new again
        assertThat(alerts(jdbi)).extracting(Raised::subject).containsExactly(
                "key:9 range:10.1.2.0/24", "key:9 range:2001:db8:1:0:0:0:0:0/48");
        // a use with no address literal is no range
        a.store().insertAll(List.of(used(later.plusSeconds(7300), 9, "unknown")));
        assertThat(alerts(jdbi)).hasSize(2);
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void aRefreshTokenReuseRaisesAnAlert(Supplier<Jdbi> database) {
        final Jdbi jdbi = database.get();
        final AlertTestStores.Writer a = AlertTestStores.writer(jdbi, config(), "a", new SettableClock(T0));
        a.store().insertAll(List.of(AuditEvent.builder(AuditEventTypes.TOKEN_REFRESH_REUSED, AuditEvent.FAILURE, T0)
                .reason(AuditReasons.REFRESH_REUSED).userId(42L).request("203.0.113.5", "app", "POST", "/api/v1/token/refresh/").build()));
        assertThat(alerts(jdbi)).extracting(Raised::rule, Raised::subject).containsExactly(
                org.assertj.core.groups.Tuple.tuple(AlertRules.REFRESH_REUSED, "user:42"));
        assertThat(raisedEvents(jdbi)).extracting(AuditEvent::reason).containsExactly(AlertRules.REFRESH_REUSED);
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void aRuleSwitchedOffRaisesNothing(Supplier<Jdbi> database) {
        final Jdbi jdbi = database.get();
        final AlertConfig config = config();
        config.getFailureBurst().setEnabled(false);
        config.getRefreshReuse().setEnabled(false);
        final AlertTestStores.Writer a = AlertTestStores.writer(jdbi, config, "a", new SettableClock(T0));
        a.store().insertAll(failures(T0, "198.51.100.7", 10));
        a.store().insertAll(List.of(AuditEvent.builder(AuditEventTypes.TOKEN_REFRESH_REUSED, AuditEvent.FAILURE, T0)
                .userId(42L).build()));
        assertThat(alerts(jdbi)).isEmpty();
        assertThat(raisedEvents(jdbi)).isEmpty();
    }
}
