package io.authservice.audittransport;

import io.authservice.testing.StoredAuditEvents;
import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditEventMapper;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.Backoff;
import io.authservice.db.Databases;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code direct} sink's shipper on a real journal into a real audit store: every journaled
 * event stored once, field by field; what the database refuses, and a journal record that is no
 * event, each a dead letter with its reason and its place in the journal; a restart resumes from
 * the cursor. Run once per database by its subclasses.
 */
abstract class StoreShipperContract {
    static final String INSTANCE = "shipper-test";

    @TempDir
    Path dir;
    final TestClock clock = new TestClock();
    private final List<AuditShipper> running = new ArrayList<>();
    private Jdbi jdbi;
    private long keyId;

    /** A new, empty, migrated database for one test. */
    protected abstract TestDatabases.Db newDatabase();

    @BeforeEach
    void database() {
        final TestDatabases.Db db = newDatabase();
        jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        keyId = ThreadLocalRandom.current().nextLong(1, 1_000_000);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AuditShipper shipper : running) {
            shipper.stop();
        }
    }

    AuditJournal openJournal(MetricRegistry metrics) {
        return AuditJournal.open(new AuditJournal.Settings(dir.resolve("journal"), 8 << 10, 64 << 20, Duration.ofSeconds(1)),
                clock, metrics);
    }

    AuditShipper start(AuditJournal journal, Jdbi store, MetricRegistry metrics) {
        final AuditShipper shipper = new AuditShipper(journal, new StoreDestination(new AuditStore(store), INSTANCE, clock),
                50, Duration.ofMillis(5), Duration.ofSeconds(5), new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)),
                clock, metrics);
        shipper.start();
        running.add(shipper);
        return shipper;
    }

    void stop(AuditShipper shipper) throws Exception {
        running.remove(shipper);
        shipper.stop();
    }

    AuditEvent use(int i) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, clock.instant())
                .key(keyId, "shipped", "abcd1234").request("127.0.0.1", "shipper-test/" + i, "GET", "/api/v1/whoami/")
                .status(200).instanceId(INSTANCE).build();
    }

    List<AuditEvent> journal(AuditJournal journal, int n) {
        final List<AuditEvent> events = IntStream.range(0, n).mapToObj(this::use).toList();
        events.forEach(e -> assertThat(journal.append(JournalPayload.of(e))).isTrue());
        return events;
    }

    List<AuditEvent> stored(Jdbi store) {
        return store.withHandle(h -> h.createQuery("SELECT " + AuditEventDAO.COLUMNS + " FROM audit_events WHERE key_id = :k")
                .bind("k", keyId).map(new AuditEventMapper()).list());
    }

    long storedCount(Jdbi store) {
        return store.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events WHERE key_id = :k")
                .bind("k", keyId).mapTo(Long.class).one());
    }

    Jdbi jdbi() {
        return jdbi;
    }

    @Test
    void everyJournaledEventIsStoredOnceAndARecordThatIsNoEventIsADeadLetterWithItsPlaceInTheJournal() {
        final MetricRegistry metrics = new MetricRegistry();
        final AuditJournal journal = openJournal(metrics);
        final List<AuditEvent> before = journal(journal, 120);
        final byte[] notAnEvent = "{\"v\":1,\"id\":\"not-a-uuid\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(journal.append(JournalPayload.of("key:" + keyId, notAnEvent))).isTrue();
        final List<AuditEvent> after = journal(journal, 30);
        // where the bad record is, read before the shipper (the journal's one reader) starts
        final AuditJournal.Position unreadableAt = journal.read(journal.cursor(), 1000).get(120).position();

        start(journal, jdbi, metrics);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(jdbi) == 150 && deadLetters().size() == 1);

        final List<AuditEvent> expected = new ArrayList<>(before);
        expected.addAll(after);
        assertThat(stored(jdbi)).containsExactlyInAnyOrderElementsOf(expected.stream().map(StoredAuditEvents::asStored).toList());
        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.get("topic")).isEqualTo("journal:" + INSTANCE);
            assertThat(((Number) letter.get("partition_no")).longValue()).isEqualTo(unreadableAt.segment());
            assertThat(((Number) letter.get("record_offset")).longValue()).isEqualTo(unreadableAt.offset());
            assertThat(letter.get("record_key")).isEqualTo("key:" + keyId);
            assertThat((byte[]) letter.get("payload")).isEqualTo(notAnEvent);
            assertThat((String) letter.get("error")).startsWith("not an audit event");
        });
        assertThat(metrics.meter("audit.shipped").getCount()).isEqualTo(151);
    }

    @Test
    void aRestartResumesFromTheCursorAndShipsNothingTwice() throws Exception {
        final MetricRegistry first = new MetricRegistry();
        final AuditJournal journal = openJournal(first);
        final AuditShipper shipper = start(journal, jdbi, first);
        final List<AuditEvent> earlier = journal(journal, 80);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(jdbi) == 80);
        stop(shipper);
        assertThat(first.meter("audit.shipped").getCount()).isEqualTo(80);

        final MetricRegistry second = new MetricRegistry();
        final AuditJournal reopened = openJournal(second);
        final List<AuditEvent> later = journal(reopened, 40);
        start(reopened, jdbi, second);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(jdbi) == 120);
        // the meter counts a batch just after the store committed it
        await().atMost(Duration.ofSeconds(30)).until(() -> second.meter("audit.shipped").getCount() >= 40);
        assertThat(second.meter("audit.shipped").getCount()).as("only what came after the cursor").isEqualTo(40);
        final List<UUID> ids = stored(jdbi).stream().map(AuditEvent::id).toList();
        assertThat(ids).doesNotHaveDuplicates().hasSize(120);
        assertThat(ids).containsExactlyInAnyOrderElementsOf(
                java.util.stream.Stream.concat(earlier.stream(), later.stream()).map(AuditEvent::id).toList());
    }

    List<Map<String, Object>> deadLetters() {
        return jdbi.withHandle(h -> h.createQuery("SELECT topic, partition_no, record_offset, record_key, payload, error"
                + " FROM audit_dead_letters WHERE topic = :t").bind("t", "journal:" + INSTANCE).mapToMap().list());
    }
}
