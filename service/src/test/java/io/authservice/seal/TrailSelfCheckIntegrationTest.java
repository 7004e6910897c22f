package io.authservice.seal;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.audit.AuditStore;
import io.authservice.audit.seal.BatchSealer;
import io.authservice.audit.seal.SealKey;
import io.authservice.audit.seal.SealKeyRing;
import io.authservice.audit.seal.TrailVerifier;
import io.authservice.core.Actor;
import io.authservice.db.Databases;
import io.authservice.health.AuditTrailHealthCheck;
import io.authservice.testing.RecordingAuditLog;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The trail's self-check on H2 and PostgreSQL, on a settable clock: a clean trail gives the ok
 * metric, a success event and a healthy check; a row changed with SQL gives a failure event, the
 * findings metric and an unhealthy check that names the kind; a check runs again only an interval
 * later; the schedule runs the first check after its delay.
 */
class TrailSelfCheckIntegrationTest {
    private static final Duration DAY = Duration.ofDays(1);
    private static final SealKey KEY = SealKey.generate();

    private final TestClock clock = new TestClock();
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final MetricRegistry metrics = new MetricRegistry();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    static Stream<Named<Supplier<TestDatabases.Db>>> databases() {
        return Stream.of(Named.of("H2", () -> TestDatabases.newH2(TestApps.tempDir())), Named.of("PostgreSQL", TestDatabases::newPostgres));
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aCleanTrailIsOkAndATamperedRowIsAFailureAndUnhealthy(Supplier<TestDatabases.Db> database) throws Exception {
        final Jdbi jdbi = migrated(database.get());
        final List<AuditEvent> stored = storeSealed(jdbi, 3, 4);
        final TrailSelfCheck selfCheck = selfCheck(jdbi, DAY);
        final AuditTrailHealthCheck health = new AuditTrailHealthCheck(selfCheck);
        assertThat(gauge("audit.seal.verification.ok")).isEqualTo(-1);
        assertThat(health.execute().isHealthy()).as("healthy before the first check").isTrue();

        final TrailSelfCheck.Outcome clean = selfCheck.runIfDue().orElseThrow();

        assertThat(clean.ok()).isTrue();
        assertThat(clean.verification().events()).isEqualTo(12);
        assertThat(gauge("audit.seal.verification.ok")).isEqualTo(1);
        assertThat(gauge("audit.seal.verification.findings")).isEqualTo(0L);
        assertThat(gauge("audit.seal.verification.last")).isEqualTo(clean.at().getEpochSecond());
        assertThat(metrics.timer("audit.seal.verification.duration").getCount()).isEqualTo(1);
        assertThat(audit.events()).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(AuditEventTypes.AUDIT_VERIFIED);
            assertThat(event.outcome()).isEqualTo(AuditEvent.SUCCESS);
            assertThat(event.reason()).isNull();
            assertThat(event.instanceId()).isEqualTo("self-check-test");
        });
        final HealthCheck.Result healthy = health.execute();
        assertThat(healthy.isHealthy()).isTrue();
        assertThat(healthy.getDetails()).containsEntry("events", 12L).containsEntry("findings", 0L);

        final AuditEvent target = stored.get(5);
        jdbi.useHandle(h -> h.execute("UPDATE audit_events SET client_address = '192.0.2.1' WHERE id = ?", target.id()));
        clock.advance(DAY.minusMinutes(1));
        assertThat(selfCheck.runIfDue()).as("not due before a day has passed").isEmpty();
        clock.advance(Duration.ofMinutes(1));
        final TrailSelfCheck.Outcome broken = selfCheck.runIfDue().orElseThrow();

        assertThat(broken.ok()).isFalse();
        assertThat(broken.findings()).isEqualTo(1);
        assertThat(gauge("audit.seal.verification.ok")).isEqualTo(0);
        assertThat(gauge("audit.seal.verification.findings")).isEqualTo(1L);
        assertThat(audit.events()).hasSize(2).last().satisfies(event -> {
            assertThat(event.type()).isEqualTo(AuditEventTypes.AUDIT_VERIFIED);
            assertThat(event.outcome()).isEqualTo(AuditEvent.FAILURE);
            assertThat(event.reason()).isEqualTo(AuditReasons.TRAIL_BROKEN);
        });
        final HealthCheck.Result unhealthy = health.execute();
        assertThat(unhealthy.isHealthy()).isFalse();
        assertThat(unhealthy.getMessage()).contains("found a break").contains("1 EVENT_CHANGED")
                .doesNotContain("192.0.2.1").doesNotContain(target.id().toString());
    }

    @Test
    void aCheckAskedForByAnOperatorRunsAtOnceAndNamesTheOperator() {
        final Jdbi jdbi = migrated(TestDatabases.newH2(TestApps.tempDir()));
        storeSealed(jdbi, 1, 2);
        final TrailSelfCheck selfCheck = selfCheck(jdbi, DAY);
        selfCheck.runIfDue().orElseThrow();

        final TrailSelfCheck.Outcome now = selfCheck.run(Actor.task("127.0.0.1"));

        assertThat(now.ok()).isTrue();
        assertThat(audit.events()).hasSize(2).last().satisfies(event -> {
            assertThat(event.actor()).isEqualTo("admin@127.0.0.1");
            assertThat(event.surface()).isEqualTo(Actor.TASK);
        });
    }

    @Test
    void aTrailThatCannotBeReadIsAFailureAndUnhealthy() {
        final Jdbi jdbi = Databases.configure(Jdbi.create(TestDatabases.newH2(TestApps.tempDir()).url()));  // not migrated: no tables
        final TrailSelfCheck selfCheck = selfCheck(jdbi, DAY);

        final TrailSelfCheck.Outcome outcome = selfCheck.runIfDue().orElseThrow();

        assertThat(outcome.verification()).isNull();
        assertThat(gauge("audit.seal.verification.ok")).isEqualTo(0);
        assertThat(audit.events()).singleElement().satisfies(event -> {
            assertThat(event.outcome()).isEqualTo(AuditEvent.FAILURE);
            assertThat(event.reason()).isEqualTo(AuditReasons.VERIFICATION_FAILED);
        });
        assertThat(new AuditTrailHealthCheck(selfCheck).execute().getMessage()).contains("could not run");
    }

    @Test
    void theScheduleRunsTheFirstCheckAfterItsDelayAndAZeroIntervalNever() {
        final Jdbi jdbi = migrated(TestDatabases.newH2(TestApps.tempDir()));
        storeSealed(jdbi, 1, 1);
        final TrailSelfCheck scheduled = new TrailSelfCheck(verifier(jdbi), audit, clock, executor, DAY, Duration.ZERO,
                metrics, "self-check-test");
        scheduled.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> scheduled.last().isPresent());
        assertThat(scheduled.last().orElseThrow().ok()).isTrue();

        final TrailSelfCheck off = new TrailSelfCheck(verifier(jdbi), audit, clock, Executors.newSingleThreadScheduledExecutor(),
                Duration.ZERO, Duration.ZERO, new MetricRegistry(), "self-check-test");
        off.start();
        assertThat(off.runIfDue()).isEmpty();
        off.stop();
    }

    private TrailSelfCheck selfCheck(Jdbi jdbi, Duration interval) {
        return new TrailSelfCheck(verifier(jdbi), audit, clock, executor, interval, Duration.ofMinutes(1), metrics,
                "self-check-test");
    }

    private static TrailVerifier verifier(Jdbi jdbi) {
        return new TrailVerifier(jdbi, SealKeyRing.of(List.of(KEY.publicKey())));
    }

    private static Jdbi migrated(TestDatabases.Db db) {
        final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        return jdbi;
    }

    /** {@code batches} sealed batches of {@code size} events each, on one chain. */
    private List<AuditEvent> storeSealed(Jdbi jdbi, int batches, int size) {
        final AuditStore store = new AuditStore(jdbi, List.of(new BatchSealer("self-check-test", KEY, clock)));
        final List<AuditEvent> all = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            final List<AuditEvent> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, clock.instant())
                        .key(7L, "svc", "abcd1234").request("10.0.0." + i, "test", "GET", "/api/v1/ping").status(200).build());
            }
            store.insertAll(batch);
            all.addAll(batch);
        }
        return all;
    }

    private Object gauge(String name) {
        return ((Gauge<?>) metrics.getGauges().get(name)).getValue();
    }
}
