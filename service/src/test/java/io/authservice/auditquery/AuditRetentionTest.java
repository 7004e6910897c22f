package io.authservice.auditquery;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditPurger;
import io.authservice.audit.AuditRetention;
import io.authservice.audit.AuditStore;
import io.authservice.db.Databases;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/** When the daily retention job purges, judged by its clock; on an H2 store. */
class AuditRetentionTest {
    private final TestClock clock = new TestClock();
    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    private AuditStore store;
    private MetricRegistry metrics;

    @BeforeEach
    void store() {
        final TestDatabases.Db db = TestDatabases.newH2(TestApps.tempDir());
        final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        store = new AuditStore(jdbi);
        metrics = new MetricRegistry();
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private AuditRetention retention(int days) {
        return new AuditRetention(new AuditPurger(store, clock, metrics), days, clock, executor, Duration.ofHours(1));
    }

    private AuditEvent eventAt(Instant at) {
        final AuditEvent event = AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, at).build();
        store.insert(event);
        return event;
    }

    private boolean stored(AuditEvent event) {
        return store.jdbi().withExtension(AuditEventDAO.class, dao -> dao.find(event.id())).isPresent();
    }

    @Test
    void purgesAtOnceThenOnlyWhenADayHasPassed() {
        final AuditRetention retention = retention(30);
        final AuditEvent old = eventAt(clock.instant().minus(Duration.ofDays(31)));
        final AuditEvent young = eventAt(clock.instant().minus(Duration.ofDays(29)));

        final Optional<AuditPurger.Result> first = retention.check();
        assertThat(first).hasValueSatisfying(r -> assertThat(r.events()).isEqualTo(1));
        assertThat(stored(old)).isFalse();
        assertThat(stored(young)).isTrue();
        assertThat(metrics.counter(AuditPurger.PURGED_METRIC).getCount()).isEqualTo(1);

        // the young event is now old, but a day has not passed since the last purge
        clock.advance(Duration.ofDays(1).minusMinutes(1));
        assertThat(retention.check()).isEmpty();
        assertThat(stored(young)).isTrue();

        // a day and a minute later: the purge's cutoff is rounded down to a whole minute (so the
        // per-minute counts go with their events), and is now past the young event whatever the second
        clock.advance(Duration.ofMinutes(2));
        assertThat(retention.check()).hasValueSatisfying(r -> assertThat(r.events()).isEqualTo(1));
        assertThat(stored(young)).isFalse();
        assertThat(metrics.counter(AuditPurger.PURGED_METRIC).getCount()).isEqualTo(2);
    }

    @Test
    void startSchedulesTheChecksAndZeroDaysNeverDeletes() {
        final AuditRetention keepForever = retention(0);
        final AuditEvent ancient = eventAt(clock.instant().minus(Duration.ofDays(10_000)));
        keepForever.start();
        assertThat(executor.getQueue()).isEmpty();
        assertThat(keepForever.check()).isEmpty();
        assertThat(stored(ancient)).isTrue();

        retention(30).start();
        assertThat(List.copyOf(executor.getQueue())).hasSize(1);
    }
}
