package io.authservice.audittransport;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.config.AuditConfig;
import io.authservice.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The request threads' side of the pipeline, on a real journal: appended as given; a full journal in each failure mode. */
class JournaledAuditLogTest {
    @TempDir
    Path dir;

    private AuditJournal journal(long maxBytes, MetricRegistry metrics) {
        return AuditJournal.open(new AuditJournal.Settings(dir, 4096, maxBytes, Duration.ofSeconds(1)), new TestClock(), metrics);
    }

    private static AuditEvent use(int i) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, Instant.EPOCH.plusMillis(i))
                .key(7L, "tts", "abcd1234").build();
    }

    @Test
    void eachEventIsAppendedAsItsKeyedPayloadInOrder() {
        final MetricRegistry metrics = new MetricRegistry();
        try (AuditJournal journal = journal(1 << 20, metrics)) {
            final JournaledAuditLog log = new JournaledAuditLog(journal, AuditConfig.FailureMode.serve, metrics);
            final List<AuditEvent> events = IntStream.range(0, 5).mapToObj(JournaledAuditLogTest::use).toList();
            events.forEach(log::record);
            final List<AuditJournal.Entry> entries = journal.read(journal.cursor(), 10);
            assertThat(entries).extracting(AuditJournal.Entry::payload)
                    .containsExactlyElementsOf(events.stream().map(JournalPayload::of).toList());
            assertThat(metrics.counter("audit.dropped").getCount()).isZero();
        }
    }

    @Test
    void aFullJournalDropsAndCountsInServeMode() {
        final MetricRegistry metrics = new MetricRegistry();
        try (AuditJournal journal = journal(8192, metrics)) {
            final JournaledAuditLog log = new JournaledAuditLog(journal, AuditConfig.FailureMode.serve, metrics);
            int i = 0;
            while (!journal.full() && i < 10_000) {
                log.record(use(i++));
            }
            assertThat(journal.full()).isTrue();
            final long before = metrics.counter("audit.dropped").getCount();
            log.record(use(i));
            log.record(use(i + 1));
            assertThat(metrics.counter("audit.dropped").getCount()).isEqualTo(before + 2);
        }
    }

    @Test
    void aFullJournalRefusesTheRequestInRejectMode() {
        final MetricRegistry metrics = new MetricRegistry();
        try (AuditJournal journal = journal(8192, metrics)) {
            final JournaledAuditLog log = new JournaledAuditLog(journal, AuditConfig.FailureMode.reject, metrics);
            int recorded = 0;
            AuditUnavailableException refused = null;
            AuditEvent last = null;
            while (refused == null && recorded < 10_000) {
                last = use(recorded);
                try {
                    log.record(last);
                    recorded++;
                } catch (AuditUnavailableException e) {
                    refused = e;
                }
            }
            assertThat(recorded).as("the journal took events until it was full").isPositive();
            assertThat(refused).isNotNull();
            assertThat(refused.eventId()).isEqualTo(last.id());
            assertThat(refused.status()).isEqualTo(503);
            assertThat(journal.full()).isTrue();
            final AuditEvent next = use(recorded + 1);
            assertThatThrownBy(() -> log.record(next)).isInstanceOf(AuditUnavailableException.class);
            assertThat(journal.read(journal.cursor(), 10_000)).hasSize(recorded);
            assertThat(metrics.counter("audit.dropped").getCount()).isZero();
        }
    }
}
