package io.authservice.auditconsumer;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.audit.DeadLetter;
import io.authservice.audit.Migrations;
import io.authservice.audit.testing.TestKafka;
import io.authservice.auditconsumer.testing.FixedClockAuditConsumer;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The audit-consumer keeps the store to {@code retentionDays} by itself: shortly after start, what
 * is older (events and dead letters) is deleted and the rest stays.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditConsumerRetentionTest {
    private static final TestKafka KAFKA = TestKafka.shared();
    private static final Path DIR = TestConfigs.tempDir();
    private static final Instant NOW = FixedClockAuditConsumer.NOW;
    private static final List<AuditEvent> EVENTS = List.of(
            eventAt(NOW.minus(Duration.ofDays(31))), eventAt(NOW.minus(Duration.ofDays(29))));
    private static final Jdbi JDBI = storeBeforeStart();
    private static final DropwizardAppExtension<AuditConsumerConfiguration> APP = new DropwizardAppExtension<>(
            FixedClockAuditConsumer.class, TestConfigs.write(DIR, KAFKA.bootstrapServers(), "audit-retention-test",
            "retention-test", "retentionDays: 30", "retentionCheckInterval: 100ms"));

    private static AuditEvent eventAt(Instant at) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, at).build();
    }

    private static Jdbi storeBeforeStart() {
        final Jdbi jdbi = Jdbi.create(TestConfigs.h2Url(DIR), "auth", "");
        jdbi.installPlugin(new SqlObjectPlugin());
        Migrations.apply(jdbi, AuditStore.CHANGELOG);
        new AuditStore(jdbi).write(EVENTS, List.of(
                new DeadLetter("t", 0, 1, 0, null, new byte[]{1}, "bad", NOW.minus(Duration.ofDays(31))),
                new DeadLetter("t", 0, 2, 0, null, new byte[]{2}, "bad", NOW.minus(Duration.ofDays(29)))));
        return jdbi;
    }

    private static boolean stored(AuditEvent event) {
        return JDBI.withExtension(AuditEventDAO.class, dao -> dao.find(event.id())).isPresent();
    }

    @Test
    void whatIsOlderThanTheRetentionGoesShortlyAfterStart() {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                APP.getEnvironment().metrics().counter("audit.purged-dead-letters").getCount() == 1);
        assertThat(stored(EVENTS.get(0))).isFalse();
        assertThat(stored(EVENTS.get(1))).isTrue();
        assertThat(APP.getEnvironment().metrics().counter("audit.purged").getCount()).isEqualTo(1);
        final List<Long> kept = JDBI.withHandle(h -> h.createQuery("SELECT record_offset FROM audit_dead_letters")
                .mapTo(Long.class).list());
        assertThat(kept).containsExactly(2L);
    }
}
