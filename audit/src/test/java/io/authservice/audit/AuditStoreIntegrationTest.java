package io.authservice.audit;

import io.authservice.audit.testing.TestPostgres;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCountCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link AuditStore#store} on H2 and on PostgreSQL: what the database takes is stored whole, what it
 * refuses becomes a dead letter beside the rest, an outage is an outage; and dead letters are kept
 * once per event of a record, also those kept before the index existed.
 */
class AuditStoreIntegrationTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    /** Past every database's calendar: PostgreSQL refuses it (22008), H2's driver cannot convert it. */
    private static final Instant UNSTORABLE = Instant.MAX.truncatedTo(ChronoUnit.MICROS);
    private static final AuditStore.RefusedEvent NONE_EXPECTED = (i, event, reason) -> {
        throw new AssertionError("no event should be refused, but " + i + " was: " + reason);
    };

    static Stream<Named<Supplier<Jdbi>>> databases() {
        return Stream.of(Named.of("H2", () -> jdbi(h2Url())), Named.of("PostgreSQL", () -> jdbi(TestPostgres.newDatabase())));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aBatchTheDatabaseTakesIsStoredWholeAndAgainLeavesItAsItIs(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditStore store = new AuditStore(jdbi);
        final List<AuditEvent> events = events(5);
        final List<DeadLetter> letters = List.of(letter(3, 0, "not JSON"));

        assertThat(store.store(events, letters, NONE_EXPECTED)).isEqualTo(new AuditStore.Stored(5, List.of()));
        assertThat(store.store(events, letters, NONE_EXPECTED)).isEqualTo(new AuditStore.Stored(5, List.of()));
        assertThat(eventIds(jdbi)).containsExactlyInAnyOrderElementsOf(events.stream().map(AuditEvent::id).toList());
        assertThat(letterPositions(jdbi)).containsExactly("t/0/3/0 not JSON");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aBatchStepSeesOnlyTheEventsItsTransactionNewlyStores(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final List<List<UUID>> seen = new ArrayList<>();
        final AuditStore store = new AuditStore(jdbi, List.of((handle, inserted) ->
                seen.add(inserted.stream().map(AuditEvent::id).toList())));
        final List<AuditEvent> first = events(3);
        final List<AuditEvent> later = events(2);

        store.insertAll(first);
        store.insertAll(List.of(first.get(0), later.get(0), later.get(0), first.get(2), later.get(1)));
        store.insertAll(first);

        assertThat(seen).containsExactly(first.stream().map(AuditEvent::id).toList(),
                later.stream().map(AuditEvent::id).toList());
        assertThat(eventIds(jdbi)).hasSize(5);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aFailingBatchStepRollsTheBatchBack(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditStore store = new AuditStore(jdbi, List.of((handle, inserted) -> {
            throw new IllegalStateException("the step fails");
        }));

        assertThatThrownBy(() -> store.insertAll(events(3))).hasMessageContaining("the step fails");
        assertThat(eventIds(jdbi)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anEventTheDatabaseRefusesBecomesADeadLetterAndTheOthersAreStored(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditStore store = new AuditStore(jdbi);
        final List<AuditEvent> events = new ArrayList<>(events(4));
        final AuditEvent unstorable = new AuditEvent(UUID.randomUUID(), UNSTORABLE, AuditEventTypes.API_KEY_USED,
                AuditEvent.SUCCESS, null, 7L, "k7", "abcd1234", null, null, null, null, null, 200, null, null, null, null, null);
        events.add(2, unstorable);
        final List<String> asked = new ArrayList<>();
        final AuditStore.RefusedEvent asDeadLetter = (i, event, reason) -> {
            asked.add(i + " " + event.id());
            return new DeadLetter("t", 0, 9, i, "key:7", AuditWireFormat.encode(event), reason, NOW);
        };

        final AuditStore.Stored stored = store.store(events, List.of(letter(8, 0, "not JSON")), asDeadLetter);

        assertThat(asked).containsExactly("2 " + unstorable.id());
        assertThat(stored.events()).isEqualTo(4);
        assertThat(stored.refused()).singleElement().satisfies(letter -> {
            assertThat(letter.index()).isEqualTo(2);
            assertThat(letter.error()).startsWith("not storable: ");
            assertThat(AuditWireFormat.decode(letter.payload())).isEqualTo(unstorable);
        });
        final List<UUID> good = events.stream().filter(e -> e != unstorable).map(AuditEvent::id).toList();
        assertThat(eventIds(jdbi)).containsExactlyInAnyOrderElementsOf(good);
        assertThat(letterPositions(jdbi)).hasSize(2).contains("t/0/8/0 not JSON")
                .anySatisfy(p -> assertThat(p).startsWith("t/0/9/2 not storable: "));

        // the same batch again (a retry after the consumer died before its commit): nothing doubled
        assertThat(store.store(events, List.of(letter(8, 0, "not JSON")), asDeadLetter).refused()).hasSize(1);
        assertThat(eventIds(jdbi)).hasSize(4);
        assertThat(letterPositions(jdbi)).hasSize(2);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aDatabaseThatCannotBeReachedIsUnavailableNotARefusal(Supplier<Jdbi> database) throws Exception {
        final Jdbi jdbi = database.get();
        final String url = jdbi.withHandle(h -> h.getConnection().getMetaData().getURL());
        final Jdbi unreachable = url.startsWith("jdbc:h2:")
                ? jdbi(url.replace("jdbc:h2:file:", "jdbc:h2:file:" + tempDir() + "/absent-") + ";IFEXISTS=TRUE")
                : jdbi("jdbc:postgresql://127.0.0.1:" + closedPort() + "/auth?connectTimeout=2");

        assertThatThrownBy(() -> new AuditStore(unreachable).store(events(3), List.of(), NONE_EXPECTED))
                .isInstanceOf(AuditStore.UnavailableException.class).hasMessageStartingWith("the audit store cannot take 3 events now")
                .hasCauseInstanceOf(RuntimeException.class);
        // a database that answers but has no audit tables is no refusal either (42P01, 42S02)
        assertThatThrownBy(() -> new AuditStore(jdbi).store(events(1), List.of(), NONE_EXPECTED))
                .isInstanceOf(AuditStore.UnavailableException.class);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void deadLettersAreKeptOncePerEventOfARecord(Supplier<Jdbi> database) {
        final Jdbi jdbi = migrated(database.get());
        final AuditStore store = new AuditStore(jdbi);
        store.write(List.of(), List.of(letter(5, 0, "first"), letter(5, 1, "second"), letter(6, 1, "third")));
        store.write(List.of(), List.of(letter(5, 1, "second again")));
        assertThat(letterPositions(jdbi)).hasSize(3).contains("t/0/5/0 first", "t/0/6/1 third")
                .anySatisfy(p -> assertThat(p).startsWith("t/0/5/1 second"));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void deadLettersKeptBeforeTheIndexExistedHaveIndexZero(Supplier<Jdbi> database) throws Exception {
        final Jdbi jdbi = database.get();
        migrateUpTo(jdbi, "audit-004-partial-indexes");
        final boolean hasIndex = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM information_schema.columns"
                + " WHERE LOWER(table_name) = 'audit_dead_letters' AND LOWER(column_name) = 'event_index'").mapTo(Long.class).one()) > 0;
        assertThat(hasIndex).as("the changelog up to audit-004 has no index column").isFalse();
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO audit_dead_letters (topic, partition_no, record_offset, record_key,"
                + " payload, error, received_at) VALUES ('t', 0, 4, NULL, NULL, 'kept before', :at)").bind("at", NOW).execute());

        Migrations.apply(jdbi, AuditStore.CHANGELOG);

        assertThat(letterPositions(jdbi)).containsExactly("t/0/4/0 kept before");
        new AuditStore(jdbi).write(List.of(), List.of(letter(4, 0, "the same record again"), letter(4, 1, "its second event")));
        assertThat(letterPositions(jdbi)).hasSize(2).contains("t/0/4/1 its second event")
                .anySatisfy(p -> assertThat(p).startsWith("t/0/4/0 "));
    }

    private static DeadLetter letter(long offset, int index, String error) {
        return new DeadLetter("t", 0, offset, index, null, new byte[]{1, 2}, error, NOW);
    }

    private static List<AuditEvent> events(int n) {
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, NOW.plusMillis(i))
                    .key(7L, "k7", "abcd1234").request("10.0.0.1", "ua", "GET", "/api/v1/whoami/").status(200).build());
        }
        return events;
    }

    private static List<UUID> eventIds(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM audit_events").mapTo(UUID.class).list());
    }

    /** Each kept dead letter as "topic/partition/offset/index error". */
    private static List<String> letterPositions(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT topic, partition_no, record_offset, event_index, error"
                + " FROM audit_dead_letters ORDER BY record_offset, event_index").map((rs, ctx) -> rs.getString("topic") + "/"
                + rs.getInt("partition_no") + "/" + rs.getLong("record_offset") + "/" + rs.getInt("event_index") + " "
                + rs.getString("error")).list());
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

    /** Applies the changelog's changesets up to and including {@code lastId} (those the database runs). */
    private static void migrateUpTo(Jdbi jdbi, String lastId) throws Exception {
        final int count = switch (lastId) {
            case "audit-004-partial-indexes" -> jdbi.withHandle(h -> h.getConnection().getMetaData()
                    .getDatabaseProductName()).startsWith("H2") ? 3 : 4;  // audit-004 is PostgreSQL's only
            default -> throw new IllegalArgumentException(lastId);
        };
        jdbi.useHandle(handle -> {
            final Connection connection = handle.getConnection();
            Scope.child(Map.of(Scope.Attr.ui.name(), new LoggerUIService(), Scope.Attr.resourceAccessor.name(),
                            new ClassLoaderResourceAccessor(), "liquibase.analytics.enabled", false),
                    () -> new CommandScope(UpdateCountCommandStep.COMMAND_NAME)
                            .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG,
                                    DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection)))
                            .addArgumentValue(UpdateCountCommandStep.CHANGELOG_FILE_ARG, AuditStore.CHANGELOG)
                            .addArgumentValue(UpdateCountCommandStep.COUNT_ARG, count)
                            .setOutput(OutputStream.nullOutputStream())
                            .execute());
            if (!connection.getAutoCommit()) {
                connection.commit();
                connection.setAutoCommit(true);
            }
        });
    }

    private static String h2Url() {
        return "jdbc:h2:file:" + tempDir().resolve("auth") + ";MODE=PostgreSQL";
    }

    private static java.nio.file.Path tempDir() {
        try {
            return Files.createTempDirectory("audit-store-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
