package io.authservice.audittransport;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.testing.TestPostgres;
import io.authservice.db.Databases;
import io.authservice.testing.TestDatabases;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code direct} shipper into PostgreSQL; beyond the contract, an event PostgreSQL refuses and
 * a database outage, on a server of the test's own that it stops and starts again.
 */
class StoreShipperPostgresTest extends StoreShipperContract {
    @Override
    protected TestDatabases.Db newDatabase() {
        return TestDatabases.newPostgres();
    }

    @Test
    void anEventPostgresRefusesIsADeadLetterWithItsReasonAndTheRestOfItsBatchIsStored() {
        final MetricRegistry metrics = new MetricRegistry();
        final AuditJournal journal = openJournal(metrics);
        final List<AuditEvent> before = journal(journal, 20);
        final AuditEvent first = before.get(0);
        // past PostgreSQL's timestamp range (year 294276): a data exception (class 22), which no retry mends
        final AuditEvent refused = new AuditEvent(UUID.randomUUID(), Instant.parse("+300000-01-01T00:00:00Z"),
                AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, null, first.keyId(), "shipped", "abcd1234", null, null,
                null, null, null, 200, null, null, null, null, null);
        assertThat(journal.append(JournalPayload.of(refused))).isTrue();
        final List<AuditEvent> after = journal(journal, 20);
        final AuditJournal.Position refusedAt = journal.read(journal.cursor(), 100).get(20).position();

        start(journal, jdbi(), metrics);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(jdbi()) == 40 && deadLetters().size() == 1);

        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.get("topic")).isEqualTo("journal:" + INSTANCE);
            assertThat(((Number) letter.get("partition_no")).longValue()).isEqualTo(refusedAt.segment());
            assertThat(((Number) letter.get("record_offset")).longValue()).isEqualTo(refusedAt.offset());
            assertThat(letter.get("record_key")).isEqualTo("key:" + first.keyId());
            assertThat((byte[]) letter.get("payload")).isEqualTo(AuditWireFormat.encode(refused));
            assertThat((String) letter.get("error")).startsWith("not storable: 22");
        });
        final List<AuditEvent> expected = new ArrayList<>(before);
        expected.addAll(after);
        assertThat(stored(jdbi()).stream().map(AuditEvent::id).toList())
                .containsExactlyInAnyOrderElementsOf(expected.stream().map(AuditEvent::id).toList());
    }

    @Test
    void whileTheDatabaseIsDownTheJournalGrowsAndEverythingArrivesOnceWhenItIsBack() throws Exception {
        final int port = freePort();
        final java.nio.file.Path data = dir.resolve("pg-data");
        EmbeddedPostgres server = postgres(port, data);
        try {
            final Jdbi store = Databases.configure(Jdbi.create(server.getJdbcUrl(TestPostgres.USER, "postgres"),
                    TestPostgres.USER, TestPostgres.PASSWORD));
            Databases.migrate(store);
            final MetricRegistry metrics = new MetricRegistry();
            final AuditJournal journal = openJournal(metrics);
            final AuditShipper shipper = start(journal, store, metrics);
            final List<AuditEvent> events = new ArrayList<>(journal(journal, 30));
            await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(store) == 30);
            final long bytesBefore = journal.bytes();

            server.close();
            events.addAll(journal(journal, 200));
            // the clock stands still unless moved: 45 s later, what waits is 45 s old
            clock.advance(Duration.ofSeconds(45));
            await().atMost(Duration.ofSeconds(10)).until(() -> shipper.lagMillis() >= 45_000);
            assertThat(journal.bytes()).as("the journal holds what waits").isGreaterThan(bytesBefore);
            assertThat(metrics.meter("audit.shipped").getCount()).isEqualTo(30);

            server = postgres(port, data);
            await().atMost(Duration.ofSeconds(60)).until(() -> storedCount(store) == 230);
            await().atMost(Duration.ofSeconds(10)).until(() -> shipper.lagMillis() == 0);
            assertThat(stored(store).stream().map(AuditEvent::id).toList()).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(events.stream().map(AuditEvent::id).toList());
            assertThat(metrics.meter("audit.shipped").getCount()).isEqualTo(230);
        } finally {
            server.close();
        }
    }

    private static EmbeddedPostgres postgres(int port, java.nio.file.Path data) throws java.io.IOException {
        return EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false).start();
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
