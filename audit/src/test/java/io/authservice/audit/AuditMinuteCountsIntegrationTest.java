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
import java.time.Duration;
import java.time.Instant;
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
 * The per-minute counts that {@link AuditMinuteCounts} keeps equal a GROUP BY over the raw events, on
 * H2 and on PostgreSQL: after batches that repeat events, after writers racing on the same events, and
 * after retention.
 */
class AuditMinuteCountsIntegrationTest {
    private static final Instant START = Instant.parse("2026-11-30T23:57:10Z");
    private static final String[] TYPES = {AuditEventTypes.API_KEY_USED, AuditEventTypes.API_KEY_REJECTED,
            AuditEventTypes.LOGIN_FAILED};
    private static final String[] REASONS = {null, AuditReasons.UNKNOWN, AuditReasons.EXPIRED};

    static Stream<Named<Supplier<Jdbi>>> databases() {
        return Stream.of(Named.of("H2", () -> jdbi(h2Url())), Named.of("PostgreSQL", () -> jdbi(TestPostgres.newDatabase())));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theCountsEqualAGroupByAfterInsertsAndDuplicates(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditStore store = new AuditStore(jdbi, List.of(new AuditMinuteCounts()));
        final List<AuditEvent> events = events(new Random(11), 600, Duration.ofMinutes(7));

        store.insertAll(events.subList(0, 250));
        // a batch repeating some stored events, and one event twice
        final List<AuditEvent> again = new ArrayList<>(events.subList(200, 400));
        again.add(events.get(300));
        store.insertAll(again);
        store.insertAll(events.subList(0, 600));
        store.insertAll(events.subList(0, 100));

        assertThat(eventCount(jdbi)).isEqualTo(600);
        assertThat(counts(jdbi)).isEqualTo(groupBy(jdbi)).hasSizeGreaterThan(20);
        assertThat(counts(jdbi).stream().mapToLong(AuditMinuteCounts.Count::events).sum()).isEqualTo(600);
    }

    /** PostgreSQL only: an H2 store has one writer (the embedded default's shipper, or a command). */
    @Test
    void writersRacingOnTheSameEventsCountEachOnce() throws Exception {
        final Jdbi jdbi = migrated(jdbi(TestPostgres.newDatabase()));
        final AuditStore store = new AuditStore(jdbi, List.of(new AuditMinuteCounts()));
        final List<AuditEvent> events = events(new Random(12), 400, Duration.ofMinutes(3));
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
        assertThat(counts(jdbi)).isEqualTo(groupBy(jdbi));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void retentionDeletesTheCountsOfThePurgedMinutes(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditStore store = new AuditStore(jdbi, List.of(new AuditMinuteCounts()));
        store.insertAll(events(new Random(13), 500, Duration.ofMinutes(10)));
        final Instant now = Instant.parse("2026-12-04T00:01:27Z");
        final AuditPurger purger = new AuditPurger(store, java.time.Clock.fixed(now, java.time.ZoneOffset.UTC),
                new com.codahale.metrics.MetricRegistry(), 40);

        // three days before now falls 27 s into a minute: the purge keeps that whole minute
        final AuditPurger.Result result = purger.purge(3, false);

        assertThat(result.cutoff()).isEqualTo(Instant.parse("2026-12-01T00:01:00Z"));
        assertThat(result.events()).isPositive();
        assertThat(eventCount(jdbi)).isEqualTo(500 - result.events()).isPositive();
        assertThat(counts(jdbi)).isEqualTo(groupBy(jdbi)).isNotEmpty();
    }

    /** Events over {@code span} from {@link #START} (across midnight UTC), of several keys (and none), types, outcomes and reasons. */
    private static List<AuditEvent> events(Random random, int n, Duration span) {
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final Instant at = START.plusMillis((long) (random.nextDouble() * span.toMillis()));
            final String type = TYPES[random.nextInt(TYPES.length)];
            final boolean failed = random.nextInt(3) == 0;
            final AuditEvent.Builder event = AuditEvent.builder(type, failed ? AuditEvent.FAILURE : AuditEvent.SUCCESS, at)
                    .reason(failed ? REASONS[1 + random.nextInt(2)] : null);
            final int key = random.nextInt(4);
            if (key > 0) {
                event.key((long) key, "k" + key, "abcd000" + key);
            }
            events.add(event.request("10.0.0." + random.nextInt(5), "ua", "GET", "/api/v1/whoami/").build());
        }
        return events;
    }

    private static List<AuditMinuteCounts.Count> counts(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT minute_at, key_id, type, outcome, reason, events"
                        + " FROM audit_minute_counts ORDER BY minute_at, key_id, type, outcome, reason")
                .map((rs, ctx) -> new AuditMinuteCounts.Count(rs.getObject("minute_at", java.time.OffsetDateTime.class).toInstant(),
                        rs.getLong("key_id"), rs.getString("type"), rs.getString("outcome"), rs.getString("reason"),
                        rs.getLong("events")))
                .list());
    }

    /** The same counts, grouped from the raw events (minutes since the epoch, so no session time zone counts). */
    private static List<AuditMinuteCounts.Count> groupBy(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT m, k, type, outcome, r, COUNT(*) AS n FROM (SELECT"
                        + " CAST(FLOOR(EXTRACT(EPOCH FROM occurred_at) / 60) AS BIGINT) AS m, COALESCE(key_id, 0) AS k,"
                        + " type, outcome, COALESCE(reason, '') AS r FROM audit_events) e"
                        + " GROUP BY m, k, type, outcome, r ORDER BY m, k, type, outcome, r")
                .map((rs, ctx) -> new AuditMinuteCounts.Count(Instant.ofEpochSecond(rs.getLong("m") * 60),
                        rs.getLong("k"), rs.getString("type"), rs.getString("outcome"), rs.getString("r"), rs.getLong("n")))
                .list());
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
            return "jdbc:h2:file:" + Files.createTempDirectory("minute-counts-test").resolve("auth") + ";MODE=PostgreSQL";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
