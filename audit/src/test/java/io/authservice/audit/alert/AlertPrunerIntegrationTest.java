package io.authservice.audit.alert;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.dropwizard.util.Duration;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pruning of the alert rules' state and of delivered alerts, on H2 and PostgreSQL, with a settable
 * clock: what no rule can need goes (in several batches), what a rule may still need stays, an undelivered
 * alert stays however old, the verdicts after a prune are those before it, and the metrics count the rows.
 */
class AlertPrunerIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    private static AlertConfig config() {
        final AlertConfig config = new AlertConfig();
        config.setEnabled(true);
        config.getFailureBurst().setThreshold(3);
        config.getFailureBurst().setWindow(Duration.minutes(1));
        config.getRetiredKey().setGrace(Duration.hours(1));
        config.getNewAddressRange().setDays(30);
        config.getPruning().setLateness(Duration.hours(1));
        config.getPruning().setKeepDelivered(Duration.days(7));
        config.getPruning().setInterval(Duration.hours(1));
        config.getPruning().setBatchSize(2);  // several batches for a handful of rows
        return config;
    }

    private static AuditEvent failure(Instant at, String address) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, at).reason(AuditReasons.UNKNOWN)
                .request(address, "curl", "GET", "/api/v1/whoami").build();
    }

    private static AuditEvent used(Instant at, long keyId, String address) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, at).key(keyId, "svc-" + keyId, "abcd1234")
                .request(address, "curl", "GET", "/api/v1/whoami").status(200).build();
    }

    private static AuditEvent refusedInactive(Instant at, long keyId) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, at).reason(AuditReasons.INACTIVE)
                .key(keyId, "svc-" + keyId, "abcd1234").request("203.0.113.9", "curl", "GET", "/api/v1/whoami")
                .fingerprint("fp-" + keyId).build();
    }

    private static List<String> counts(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT subject FROM audit_alert_counts ORDER BY subject, window_start")
                .mapTo(String.class).list());
    }

    private static List<String> marks(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT rule || ' ' || subject FROM audit_alert_marks ORDER BY rule, subject")
                .mapTo(String.class).list());
    }

    private static List<String> alerts(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT rule || ' ' || subject || ' ' || CASE WHEN delivered_at IS NULL"
                        + " THEN 'pending' ELSE 'delivered' END FROM audit_alerts ORDER BY rule, subject, window_start")
                .mapTo(String.class).list());
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void prunesWhatNoRuleNeedsAndNeverAnUndeliveredAlert(Supplier<Jdbi> database) {
        final Jdbi jdbi = database.get();
        final SettableClock clock = new SettableClock(T0);
        final AlertConfig config = config();
        final AlertTestStores.Writer writer = AlertTestStores.writer(jdbi, config, "a", clock);
        final List<UUID> sent = new ArrayList<>();
        final AlertDelivery delivery = new AlertDelivery(jdbi, List.of(new AlertDestination() {
            @Override
            public String name() {
                return "receiver";
            }

            @Override
            public void send(UUID id, String body) {
                sent.add(id);
            }
        }), config.getDelivery(), clock);
        final MetricRegistry metrics = new MetricRegistry();
        final AlertPruner pruner = new AlertPruner(jdbi, config, clock, metrics);

        // day 0: a burst from one address (an alert, then delivered), failures from four more, under the threshold;
        // key 1 used from two ranges, key 3 retired and refused
        final List<AuditEvent> day0 = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            day0.add(failure(T0.plusMillis(i), "198.51.100.7"));
        }
        for (int i = 1; i <= 4; i++) {
            day0.add(failure(T0.plusSeconds(i), "192.0.2." + i));
        }
        day0.add(used(T0, 1, "10.1.1.1"));
        day0.add(used(T0.plusSeconds(5), 1, "10.2.2.2"));  // a new range of a known key: an alert, left undelivered below
        day0.add(refusedInactive(T0, 3));
        writer.store().insertAll(day0.subList(0, 7));
        assertThat(delivery.runOnce().delivered()).isEqualTo(1);
        writer.store().insertAll(List.of(day0.get(7)));
        writer.store().insertAll(day0.subList(8, day0.size()));
        assertThat(alerts(jdbi)).containsExactly("failure_burst address:198.51.100.7 delivered",
                "new_address_range key:1 range:10.2.2.0/24 pending");

        // day 20: key 2 used from one range; a window that ends within the lateness
        clock.advance(java.time.Duration.ofDays(20));
        final Instant day20 = T0.plus(java.time.Duration.ofDays(20));
        writer.store().insertAll(List.of(used(day20, 2, "10.9.9.9"), failure(day20, "192.0.2.77")));
        assertThat(counts(jdbi)).hasSize(8);  // the refused key counts twice: its address and its fingerprint
        assertThat(marks(jdbi)).hasSize(7);

        // day 20 plus a few minutes: the old windows ended, the new one within the lateness; the delivered alert is 20 days old
        clock.advance(java.time.Duration.ofMinutes(30));
        final AlertPruner.Result first = pruner.pruneIfDue();
        assertThat(first).isEqualTo(new AlertPruner.Result(7, 0, 1));
        assertThat(counts(jdbi)).containsExactly("address:192.0.2.77");
        assertThat(alerts(jdbi)).containsExactly("new_address_range key:1 range:10.2.2.0/24 pending");

        // day 31 plus an hour: key 1's marks are older than days + lateness; key 2's and the retired key's stay
        clock.advance(java.time.Duration.ofDays(11).plusHours(1));
        assertThat(pruner.pruneIfDue()).isEqualTo(new AlertPruner.Result(1, 3, 0));
        assertThat(marks(jdbi)).containsExactly(
                AlertRules.MARK_KEY_RANGE + " key:2 range:10.9.9.0/24",
                AlertRules.MARK_KEY_SEEN + " key:2",
                AlertRules.MARK_RETIRED_FINGERPRINT + " fingerprint:fp-3",
                AlertRules.MARK_RETIRED_KEY + " key:3");
        // an undelivered alert stays however old
        assertThat(alerts(jdbi)).containsExactly("new_address_range key:1 range:10.2.2.0/24 pending");

        // within the interval nothing runs; after it, the next prune
        final Instant now = clock.instant();
        writer.store().insertAll(List.of(failure(now.minus(java.time.Duration.ofHours(3)), "192.0.2.99")));  // a late event
        assertThat(pruner.pruneIfDue()).isEqualTo(new AlertPruner.Result(0, 0, 0));
        assertThat(counts(jdbi)).containsExactly("address:192.0.2.99");
        clock.advance(java.time.Duration.ofHours(1));
        assertThat(pruner.pruneIfDue()).isEqualTo(new AlertPruner.Result(1, 0, 0));
        assertThat(counts(jdbi)).isEmpty();

        // the verdicts are those before the prune: key 1, idle for longer than days, learns its range again (no
        // alert); key 2, known, from a new range, raises one
        final Instant later = clock.instant();
        writer.store().insertAll(List.of(used(later, 1, "10.3.3.3"), used(later, 2, "10.4.4.4")));
        assertThat(alerts(jdbi)).containsExactly("new_address_range key:1 range:10.2.2.0/24 pending",
                "new_address_range key:2 range:10.4.4.0/24 pending");

        assertThat(metrics.counter(AlertPruner.PRUNED_COUNTS_METRIC).getCount()).isEqualTo(9);
        assertThat(metrics.counter(AlertPruner.PRUNED_MARKS_METRIC).getCount()).isEqualTo(3);
        assertThat(metrics.counter(AlertPruner.PRUNED_ALERTS_METRIC).getCount()).isEqualTo(1);
        assertThat(sent).hasSize(1);
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void switchedOffItDeletesNothing(Supplier<Jdbi> database) {
        final Jdbi jdbi = database.get();
        final SettableClock clock = new SettableClock(T0);
        final AlertConfig config = config();
        config.getPruning().setEnabled(false);
        final AlertTestStores.Writer writer = AlertTestStores.writer(jdbi, config, "a", clock);
        writer.store().insertAll(List.of(failure(T0, "192.0.2.1"), used(T0, 1, "10.1.1.1")));
        clock.advance(java.time.Duration.ofDays(60));

        assertThat(new AlertPruner(jdbi, config, clock, new MetricRegistry()).pruneIfDue()).isEqualTo(new AlertPruner.Result(0, 0, 0));
        assertThat(counts(jdbi)).hasSize(1);
        assertThat(marks(jdbi)).hasSize(2);
    }
}
