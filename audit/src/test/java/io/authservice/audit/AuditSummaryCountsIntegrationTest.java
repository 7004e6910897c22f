package io.authservice.audit;

import io.authservice.audit.testing.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hourly counts and the per-day failures and fingerprints that {@link AuditSummaryCounts} keeps equal a
 * GROUP BY over the raw events, on H2 and on PostgreSQL: after batches that repeat events, after writers
 * racing on the same events, and after retention whose cutoff falls inside an hour and a day.
 */
class AuditSummaryCountsIntegrationTest {
    /** Three days and a bit across midnights UTC. */
    private static final Instant START = Instant.parse("2026-11-29T21:17:10Z");
    private static final Duration SPAN = Duration.ofHours(75);
    private static final String[] TYPES = {AuditEventTypes.API_KEY_USED, AuditEventTypes.API_KEY_REJECTED,
            AuditEventTypes.LOGIN_FAILED};

    static Stream<Named<Supplier<Jdbi>>> databases() {
        return Stream.of(Named.of("H2", () -> jdbi(h2Url())), Named.of("PostgreSQL", () -> jdbi(TestPostgres.newDatabase())));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theCountsEqualAGroupByAfterInsertsAndDuplicates(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditStore store = new AuditStore(jdbi, AuditCounts.steps());
        final List<AuditEvent> events = events(new Random(21), 900);

        store.insertAll(events.subList(0, 300));
        // a batch repeating some stored events, and one event twice
        final List<AuditEvent> again = new ArrayList<>(events.subList(250, 500));
        again.add(events.get(400));
        store.insertAll(again);
        store.insertAll(events);
        store.insertAll(events.subList(0, 100));

        assertThat(eventCount(jdbi)).isEqualTo(900);
        assertSameAsGroupBy(jdbi);
        assertThat(hours(jdbi)).hasSizeGreaterThan(75);
        assertThat(failures(jdbi)).hasSizeGreaterThan(8);
        assertThat(fingerprints(jdbi)).hasSizeGreaterThan(8);
    }

    /** PostgreSQL only: an H2 store has one writer (the embedded default's shipper, or a command). */
    @Test
    void writersRacingOnTheSameEventsCountEachOnce() throws Exception {
        final Jdbi jdbi = migrated(jdbi(TestPostgres.newDatabase()));
        final AuditStore store = new AuditStore(jdbi, AuditCounts.steps());
        final List<AuditEvent> events = events(new Random(22), 400);
        final ExecutorService writers = Executors.newFixedThreadPool(2);
        try {
            final List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                final List<AuditEvent> mine = new ArrayList<>(events);
                Collections.shuffle(mine, new Random(w));
                done.add(writers.submit(() -> {
                    for (int i = 0; i < mine.size(); i += 50) {
                        store.store(mine.subList(i, i + 50), List.of(), (index, event, reason) -> {
                            throw new AssertionError("refused: " + reason);
                        });
                    }
                }));
            }
            // two writers deadlocking on the counts' rows would fail one of them here
            for (Future<?> writer : done) {
                writer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            writers.shutdown();
            assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(eventCount(jdbi)).isEqualTo(400);
        assertSameAsGroupBy(jdbi);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void retentionDeletesThePurgedHoursAndDaysAndCountsTheCutoffsAgain(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditStore store = new AuditStore(jdbi, AuditCounts.steps());
        store.insertAll(events(new Random(23), 900));
        final Instant now = Instant.parse("2026-12-04T13:41:27Z");
        final AuditPurger purger = new AuditPurger(store, Clock.fixed(now, ZoneOffset.UTC),
                new com.codahale.metrics.MetricRegistry(), 70);

        // four days before now is 2026-11-30T13:41: inside an hour and a day of the events
        final AuditPurger.Result result = purger.purge(4, false);

        assertThat(result.cutoff()).isEqualTo(Instant.parse("2026-11-30T13:41:00Z"));
        assertThat(result.events()).isPositive();
        assertThat(eventCount(jdbi)).isEqualTo(900 - result.events()).isPositive();
        assertSameAsGroupBy(jdbi);
        assertThat(failures(jdbi)).extracting(AuditSummaryCounts.AddressFailures::day)
                .contains(Instant.parse("2026-11-30T00:00:00Z")).doesNotContain(Instant.parse("2026-11-29T00:00:00Z"));
        assertThat(hours(jdbi)).extracting(AuditMinuteCounts.Count::minute)
                .contains(Instant.parse("2026-11-30T13:00:00Z")).allMatch(h -> !h.isBefore(Instant.parse("2026-11-30T13:00:00Z")));
    }

    private static void assertSameAsGroupBy(Jdbi jdbi) {
        assertThat(hours(jdbi)).isEqualTo(jdbi.withHandle(h -> h.createQuery("SELECT b, k, type, outcome, r, COUNT(*) AS n FROM"
                        + " (SELECT " + epochDiv(3600) + " AS b, COALESCE(key_id, 0) AS k, type, outcome, COALESCE(reason, '') AS r"
                        + " FROM audit_events) e GROUP BY b, k, type, outcome, r ORDER BY b, k, type, outcome, r")
                .map((rs, ctx) -> new AuditMinuteCounts.Count(Instant.ofEpochSecond(rs.getLong("b") * 3600), rs.getLong("k"),
                        rs.getString("type"), rs.getString("outcome"), rs.getString("r"), rs.getLong("n")))
                .list()));
        assertThat(failures(jdbi)).isEqualTo(jdbi.withHandle(h -> h.createQuery("SELECT b, client_address, COUNT(*) AS n FROM"
                        + " (SELECT " + epochDiv(86400) + " AS b, client_address FROM audit_events WHERE outcome = 'failure'"
                        + " AND client_address IS NOT NULL) e GROUP BY b, client_address ORDER BY b, client_address")
                .map((rs, ctx) -> new AuditSummaryCounts.AddressFailures(Instant.ofEpochSecond(rs.getLong("b") * 86400),
                        rs.getString("client_address"), rs.getLong("n")))
                .list()));
        assertThat(fingerprints(jdbi)).isEqualTo(jdbi.withHandle(h -> h.createQuery("SELECT b, fingerprint, a, COUNT(*) AS n,"
                        + " MIN(occurred_at) AS f, MAX(occurred_at) AS l FROM (SELECT " + epochDiv(86400) + " AS b, fingerprint,"
                        + " COALESCE(client_address, '') AS a, occurred_at FROM audit_events WHERE type = 'api_key.rejected'"
                        + " AND outcome = 'failure' AND fingerprint IS NOT NULL) e GROUP BY b, fingerprint, a ORDER BY b, fingerprint, a")
                .map((rs, ctx) -> new AuditSummaryCounts.FingerprintAttempts(Instant.ofEpochSecond(rs.getLong("b") * 86400),
                        rs.getString("fingerprint"), rs.getString("a"), rs.getLong("n"), instant(rs.getObject("f", OffsetDateTime.class)),
                        instant(rs.getObject("l", OffsetDateTime.class))))
                .list()));
    }

    /** Whole hours or days since the epoch, so no session time zone counts. */
    private static String epochDiv(int seconds) {
        return "CAST(FLOOR(EXTRACT(EPOCH FROM occurred_at) / " + seconds + ") AS BIGINT)";
    }

    /**
     * Events over {@link #SPAN} from {@link #START}, of several keys (and none), types, outcomes, reasons,
     * addresses (and none) and fingerprints.
     */
    private static List<AuditEvent> events(Random random, int n) {
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final Instant at = START.plusMillis((long) (random.nextDouble() * SPAN.toMillis()));
            final String type = TYPES[random.nextInt(TYPES.length)];
            final boolean failed = !type.equals(AuditEventTypes.API_KEY_USED) || random.nextInt(5) == 0;
            final AuditEvent.Builder event = AuditEvent.builder(type, failed ? AuditEvent.FAILURE : AuditEvent.SUCCESS, at)
                    .reason(failed ? (random.nextBoolean() ? AuditReasons.UNKNOWN : AuditReasons.EXPIRED) : null);
            final int key = random.nextInt(4);
            if (key > 0) {
                event.key((long) key, "k" + key, "abcd000" + key);
            }
            if (type.equals(AuditEventTypes.API_KEY_REJECTED) && random.nextInt(6) > 0) {
                event.fingerprint("hmac-sha256:f" + random.nextInt(4));
            }
            final int address = random.nextInt(6);
            events.add(event.request(address == 0 ? null : "203.0.113." + address, "ua", "GET", "/api/v1/whoami/").build());
        }
        return events;
    }

    private static List<AuditMinuteCounts.Count> hours(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT hour_at, key_id, type, outcome, reason, events"
                        + " FROM audit_hour_counts ORDER BY hour_at, key_id, type, outcome, reason")
                .map((rs, ctx) -> new AuditMinuteCounts.Count(instant(rs.getObject("hour_at", OffsetDateTime.class)),
                        rs.getLong("key_id"), rs.getString("type"), rs.getString("outcome"), rs.getString("reason"),
                        rs.getLong("events")))
                .list());
    }

    private static List<AuditSummaryCounts.AddressFailures> failures(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT day_at, client_address, events FROM audit_day_failures"
                        + " ORDER BY day_at, client_address")
                .map((rs, ctx) -> new AuditSummaryCounts.AddressFailures(instant(rs.getObject("day_at", OffsetDateTime.class)),
                        rs.getString("client_address"), rs.getLong("events")))
                .list());
    }

    private static List<AuditSummaryCounts.FingerprintAttempts> fingerprints(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT day_at, fingerprint, client_address, events, first_at, last_at"
                        + " FROM audit_day_fingerprints ORDER BY day_at, fingerprint, client_address")
                .map((rs, ctx) -> new AuditSummaryCounts.FingerprintAttempts(instant(rs.getObject("day_at", OffsetDateTime.class)),
                        rs.getString("fingerprint"), rs.getString("client_address"), rs.getLong("events"),
                        instant(rs.getObject("first_at", OffsetDateTime.class)), instant(rs.getObject("last_at", OffsetDateTime.class))))
                .list());
    }

    private static Instant instant(OffsetDateTime at) {
        return at.toInstant();
    }

    private static long eventCount(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events").mapTo(Long.class).one());
    }

    private static Jdbi jdbi(String url) {
        final boolean h2 = url.startsWith("jdbc:h2:");
        return SqlObjects.prepare(Jdbi.create(url, h2 ? "auth" : TestPostgres.USER, h2 ? "" : TestPostgres.PASSWORD),
                AuditEventDAO.class);
    }

    private static Jdbi migrated(Jdbi jdbi) {
        Migrations.apply(jdbi, AuditStore.CHANGELOG);
        return jdbi;
    }

    private static String h2Url() {
        try {
            return "jdbc:h2:file:" + Files.createTempDirectory("summary-counts-test").resolve("auth") + ";MODE=PostgreSQL";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
