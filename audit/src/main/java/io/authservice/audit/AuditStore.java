package io.authservice.audit;

import com.google.common.collect.Lists;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Writes events into the audit store, each batch in one transaction, each event at most once
 * (its id is the primary key). Strings longer than their column are cut and U+0000 is replaced, so
 * one oversized User-Agent or one NUL character cannot fail a whole batch.
 *
 * <p>{@link #store} is the one place that tells what the database refuses (bad data, which no retry
 * mends: it becomes a dead letter) from an outage (which the caller retries): the audit-consumer and
 * the service's shippers all write through it.
 */
public final class AuditStore {
    /** The Liquibase changelog of the audit store, on the classpath. */
    public static final String CHANGELOG = "audit-migrations.xml";

    static final int SHORT = 64;
    static final int NAME = 255;
    static final int LONG = 2048;

    private static final Logger LOG = LoggerFactory.getLogger(AuditStore.class);

    private final Jdbi jdbi;
    private final List<BatchStep> steps;

    public AuditStore(Jdbi jdbi) {
        this(jdbi, List.of());
    }

    /**
     * @param steps run, in this order, in the transaction of every batch that stores at least one
     *              event, with the events that batch newly stored
     */
    public AuditStore(Jdbi jdbi, List<BatchStep> steps) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.steps = List.copyOf(steps);
    }

    /**
     * Work that must commit or roll back with the events it is about (derived rows kept beside the
     * trail): it runs inside the transaction that stores a batch, and its failure fails the batch.
     */
    @FunctionalInterface
    public interface BatchStep {
        /**
         * @param handle   the batch's transaction
         * @param inserted the events this transaction stores, as the store keeps them ({@link #fit}),
         *                 in the order given; none that the store already held
         */
        void stored(Handle handle, List<AuditEvent> inserted);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Stores the events in one transaction; those already stored are left as they are. */
    public void insertAll(List<AuditEvent> events) {
        write(events, List.of());
    }

    /** What the database refuses: makes the dead letter that keeps a refused event in its place. */
    @FunctionalInterface
    public interface RefusedEvent {
        /**
         * @param index  the event's position in the list given to {@link #store}
         * @param reason {@code "not storable: "} and the database's own words
         */
        DeadLetter deadLetter(int index, AuditEvent event, String reason);
    }

    /**
     * What {@link #store} did: how many events are in the store (those it already held included), and
     * the dead letters made of those it refused (stored with the others given).
     */
    public record Stored(int events, List<DeadLetter> refused) {
        public Stored {
            refused = List.copyOf(refused);
        }
    }

    /** The store could not be written (unreachable, busy, failing): nothing is lost by trying again later. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Stores the events and dead letters in one transaction. When the database refuses the batch (a
     * value it cannot hold: {@link #refusal}), the events are stored one by one, once: each one it
     * refuses becomes {@code asDeadLetter.deadLetter(i, event, "not storable: " + reason)}, stored with
     * the given dead letters, and the others are stored; so one such event cannot hold up the rest for
     * ever. Events already stored and dead letters already kept are left as they are, so a call may be
     * repeated.
     *
     * @throws UnavailableException on any other failure (the database is down or busy): try again later
     */
    public Stored store(List<AuditEvent> events, List<DeadLetter> deadLetters, RefusedEvent asDeadLetter) {
        final String refused;
        try {
            write(events, deadLetters);
            return new Stored(events.size(), List.of());
        } catch (RuntimeException e) {
            refused = refusal(e).orElseThrow(() -> unavailable(events.size() + " events", e));
        }
        LOG.warn("the audit store refuses something in a batch of {} events ({}); storing them one by one",
                events.size(), refused);
        final List<DeadLetter> letters = new ArrayList<>(deadLetters);
        final List<DeadLetter> refusedEvents = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            final AuditEvent event = events.get(i);
            try {
                write(List.of(event), List.of());
            } catch (RuntimeException e) {
                final String reason = refusal(e).orElseThrow(() -> unavailable("event " + event.id(), e));
                LOG.warn("audit event {} is refused by the audit store ({}); kept as a dead letter", event.id(), reason);
                refusedEvents.add(asDeadLetter.deadLetter(i, event, "not storable: " + reason));
            }
        }
        letters.addAll(refusedEvents);
        try {
            write(List.of(), letters);
        } catch (RuntimeException e) {
            // dead letters hold bytes and cut strings: a refusal here is no event's fault, and is retried
            throw unavailable(letters.size() + " dead letters", e);
        }
        return new Stored(events.size() - refusedEvents.size(), refusedEvents);
    }

    private static UnavailableException unavailable(String what, RuntimeException cause) {
        return new UnavailableException("the audit store cannot take " + what + " now: " + cause.getMessage(), cause);
    }

    /**
     * Stores events and dead letters in one transaction; events already stored (by id) and dead
     * letters already kept (by topic, partition, offset and index) are left as they are. Throws
     * whatever the database throws; {@link #store} tells a refusal from an outage.
     */
    public void write(List<AuditEvent> events, List<DeadLetter> deadLetters) {
        if (events.isEmpty() && deadLetters.isEmpty()) {
            return;
        }
        final List<AuditEvent> fitted = events.stream().map(AuditStore::fit).toList();
        final List<DeadLetter> letters = deadLetters.stream().map(d -> new DeadLetter(cut(d.topic(), NAME), d.partition(),
                d.offset(), d.index(), cut(d.key(), NAME), d.payload(), cut(d.error(), LONG), d.receivedAt())).toList();
        if (!fitted.isEmpty() && h2()) {
            // H2 (one process, one shipper): a batch is new but after a restart, so it is inserted as it is;
            // when an id is already held (the database refuses it on the key, and rolls the batch back), the
            // held ids are read first and only the rest inserted
            try {
                jdbi.useTransaction(handle -> writeIn(handle, true, fitted, letters, false));
                return;
            } catch (RuntimeException e) {
                if (!SqlStates.isUniqueViolation(e)) {
                    throw e;
                }
            }
        }
        jdbi.useTransaction(handle -> writeIn(handle, isH2(handle), fitted, letters, true));
    }

    private void writeIn(Handle handle, boolean h2, List<AuditEvent> fitted, List<DeadLetter> letters, boolean someHeld) {
        if (!fitted.isEmpty() && steps.isEmpty()) {
            if (h2 && !someHeld) {
                insertRowsH2(handle, fitted);
            } else {
                insertIfAbsent(handle, h2, fitted);
            }
        } else if (!fitted.isEmpty()) {
            final List<AuditEvent> inserted;
            if (h2 && !someHeld) {
                insertRowsH2(handle, fitted);
                inserted = fitted;
            } else {
                inserted = insertNew(handle, h2, fitted);
            }
            if (!inserted.isEmpty()) {
                for (BatchStep step : steps) {
                    step.stored(handle, inserted);
                }
            }
        }
        if (!letters.isEmpty()) {
            final AuditEventDAO dao = handle.attach(AuditEventDAO.class);
            if (h2) {
                dao.insertDeadLettersH2(letters);
            } else {
                dao.insertDeadLettersPostgres(letters);
            }
        }
    }

    /** Whether the store is H2, asked once (a connection's metadata per batch costs a pool round trip). */
    private boolean h2() {
        Boolean h2 = isH2;
        if (h2 == null) {
            h2 = jdbi.withHandle(AuditStore::isH2);
            isH2 = h2;
        }
        return h2;
    }

    private volatile Boolean isH2;

    private static void insertIfAbsent(Handle handle, boolean h2, List<AuditEvent> events) {
        if (h2) {
            insertNew(handle, true, events);  // the held ids read first, then a plain INSERT of the rest
        } else {
            bindColumns(handle.createUpdate(AuditEventDAO.INSERT_IF_ABSENT_POSTGRES), events).execute();
        }
    }

    /**
     * Inserts the events the store does not hold yet and returns them, in the order given. PostgreSQL
     * says which rows its insert added ({@code RETURNING}), so a writer racing this one on the same
     * event cannot make both count it; on H2 (one process) the ids already held are read first.
     */
    private static List<AuditEvent> insertNew(Handle handle, boolean h2, List<AuditEvent> events) {
        final Set<UUID> added;
        if (h2) {
            final Set<UUID> held = new HashSet<>(handle.createQuery("SELECT id FROM audit_events WHERE id IN (<ids>)")
                    .bindList("ids", events.stream().map(AuditEvent::id).toList()).mapTo(UUID.class).list());
            final Map<UUID, AuditEvent> fresh = new LinkedHashMap<>();
            for (AuditEvent event : events) {
                if (!held.contains(event.id())) {
                    fresh.putIfAbsent(event.id(), event);
                }
            }
            if (!fresh.isEmpty()) {
                insertRowsH2(handle, fresh.values());
            }
            added = fresh.keySet();
        } else {
            added = new HashSet<>(bindColumns(handle.createQuery(AuditEventDAO.INSERT_IF_ABSENT_POSTGRES + " RETURNING id"), events)
                    .mapTo(UUID.class).list());
        }
        final List<AuditEvent> inserted = new ArrayList<>(added.size());
        final Set<UUID> seen = new HashSet<>();
        for (AuditEvent event : events) {
            if (added.contains(event.id()) && seen.add(event.id())) {
                inserted.add(event);
            }
        }
        return inserted;
    }

    private static final String INSERT_H2 = "INSERT INTO audit_events (" + AuditEventDAO.COLUMNS + ") VALUES ("
            + "?, ".repeat(18) + "?)";

    /**
     * H2: a plain INSERT of each event, as one JDBC batch of one prepared statement bound column by
     * column (no reflective binding per row), for events whose ids the store does not hold (else the
     * database refuses the batch on the key).
     */
    private static void insertRowsH2(Handle handle, Collection<AuditEvent> events) {
        try (PreparedStatement insert = handle.getConnection().prepareStatement(INSERT_H2)) {
            for (AuditEvent e : events) {
                insert.setObject(1, e.id());
                insert.setObject(2, e.occurredAt().atOffset(ZoneOffset.UTC));
                insert.setString(3, e.type());
                insert.setString(4, e.outcome());
                insert.setString(5, e.reason());
                setLong(insert, 6, e.keyId());
                insert.setString(7, e.keyName());
                insert.setString(8, e.keyPrefix());
                setLong(insert, 9, e.userId());
                insert.setString(10, e.clientAddress());
                insert.setString(11, e.userAgent());
                insert.setString(12, e.method());
                insert.setString(13, e.path());
                if (e.status() == null) {
                    insert.setNull(14, Types.INTEGER);
                } else {
                    insert.setInt(14, e.status());
                }
                insert.setString(15, e.requestId());
                insert.setString(16, e.instanceId());
                insert.setString(17, e.fingerprint());
                insert.setString(18, e.actor());
                insert.setString(19, e.surface());
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
    }

    private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    /**
     * The database's own words, when {@code failure} says that it refuses what it was given
     * (SQLSTATE class 22, data exception, or 23, integrity constraint violation), or that its driver
     * cannot represent a value (a {@link DateTimeException}: H2 and a time past its calendar); no
     * retry mends either. Empty when it could not be reached, was busy, or failed otherwise.
     */
    public static Optional<String> refusal(Throwable failure) {
        return SqlStates.firstCause(failure, t -> t instanceof DateTimeException
                        || SqlStates.hasState(t, state -> state.startsWith("22") || state.startsWith("23")))
                .map(t -> t instanceof SQLException sql
                        ? sql.getSQLState() + " " + sql.getMessage()
                        : "value out of range: " + t.getMessage());
    }

    /** Stores one event (commands, which write as they go). */
    public void insert(AuditEvent event) {
        insertAll(List.of(event));
    }

    /** How many events and dead letters a purge deleted, or a dry run found. */
    public record Purged(long events, long deadLetters) {
    }

    /** How many events occurred, and dead letters were received, before {@code cutoff}. */
    public Purged countOlderThan(Instant cutoff) {
        return jdbi.withExtension(AuditEventDAO.class, dao ->
                new Purged(dao.countOlderThan(cutoff), dao.countDeadLettersOlderThan(cutoff)));
    }

    /**
     * Deletes the events that occurred, and the dead letters received, before {@code cutoff}, at most
     * {@code batchSize} rows per statement, each statement its own transaction: a purge of millions of
     * rows never holds one long transaction or its locks, and writers go on between batches. Stops
     * between batches when the calling thread is interrupted (the application is stopping); the rest
     * goes on the next purge. The counts kept beside the events of the time before {@code cutoff} go too
     * ({@link AuditCounts#prune}).
     */
    public Purged purgeOlderThan(Instant cutoff, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        final long events = deleteInBatches(dao -> dao.deleteOlderThan(cutoff, batchSize), batchSize);
        final long letters = deleteInBatches(dao -> dao.deleteDeadLettersOlderThan(cutoff, batchSize), batchSize);
        AuditCounts.prune(jdbi, cutoff);
        return new Purged(events, letters);
    }

    /**
     * As {@link #purgeOlderThan(Instant, int)}, but leaves the events {@code keep} names (those of
     * sealed batches that stay, see {@code SealedRetention}): the events before {@code cutoff} are
     * walked in (occurred_at, id) order, {@code batchSize} at a time, and each page's others deleted.
     */
    public Purged purgeOlderThan(Instant cutoff, int batchSize, Set<UUID> keep) {
        if (keep.isEmpty()) {
            return purgeOlderThan(cutoff, batchSize);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        long events = 0;
        Instant afterAt = null;
        UUID afterId = null;
        List<Map.Entry<Instant, UUID>> page;
        do {
            final Instant at = afterAt;
            final UUID id = afterId;
            page = jdbi.withHandle(handle -> {
                final org.jdbi.v3.core.statement.Query query = handle.createQuery("SELECT occurred_at, id FROM audit_events"
                                + " WHERE occurred_at < :cutoff"
                                + (at == null ? "" : " AND (occurred_at > :at OR (occurred_at = :at AND id > :id))")
                                + " ORDER BY occurred_at, id LIMIT :limit")
                        .registerArgument(new UtcInstantArgumentFactory()).bind("cutoff", cutoff).bind("limit", batchSize);
                if (at != null) {
                    query.bind("at", at).bind("id", id);
                }
                return query.map((rs, ctx) -> Map.entry(rs.getObject(1, java.time.OffsetDateTime.class).toInstant(), rs.getObject(2, UUID.class)))
                        .list();
            });
            final List<UUID> delete = page.stream().map(Map.Entry::getValue).filter(e -> !keep.contains(e)).toList();
            if (!delete.isEmpty()) {
                events += jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM audit_events WHERE id IN (<ids>)")
                        .bindList("ids", delete).execute());
            }
            if (!page.isEmpty()) {
                afterAt = page.get(page.size() - 1).getKey();
                afterId = page.get(page.size() - 1).getValue();
            }
        } while (page.size() == batchSize && !Thread.currentThread().isInterrupted());
        final long letters = deleteInBatches(dao -> dao.deleteDeadLettersOlderThan(cutoff, batchSize), batchSize);
        AuditCounts.prune(jdbi, cutoff);
        return new Purged(events, letters);
    }

    /** As {@link #countOlderThan(Instant)}, leaving out the events {@code keep} names. */
    public Purged countOlderThan(Instant cutoff, Set<UUID> keep) {
        final Purged all = countOlderThan(cutoff);
        final List<UUID> ids = new ArrayList<>(keep);
        long kept = 0;
        for (List<UUID> chunk : Lists.partition(ids, 1000)) {
            kept += jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM audit_events WHERE occurred_at < :cutoff"
                            + " AND id IN (<ids>)").registerArgument(new UtcInstantArgumentFactory()).bind("cutoff", cutoff)
                    .bindList("ids", chunk).mapTo(Long.class).one());
        }
        return new Purged(all.events() - kept, all.deadLetters());
    }

    private long deleteInBatches(ToIntFunction<AuditEventDAO> batch, int batchSize) {
        long deleted = 0;
        int last;
        do {
            last = jdbi.withExtension(AuditEventDAO.class, batch::applyAsInt);
            deleted += last;
        } while (last == batchSize && !Thread.currentThread().isInterrupted());
        return deleted;
    }

    /** One column of {@link AuditEventDAO#INSERT_IF_ABSENT_POSTGRES}: its parameter, element type and value. */
    private record ArrayColumn(String parameter, Class<?> elementType, Function<AuditEvent, Object> value) {
    }

    /** In the order of {@link AuditEventDAO#COLUMNS}; times as ISO 8601 text, which the statement casts. */
    private static final List<ArrayColumn> ARRAY_COLUMNS = List.of(
            new ArrayColumn("id", UUID.class, AuditEvent::id),
            new ArrayColumn("occurredAt", String.class, e -> e.occurredAt().toString()),
            new ArrayColumn("type", String.class, AuditEvent::type),
            new ArrayColumn("outcome", String.class, AuditEvent::outcome),
            new ArrayColumn("reason", String.class, AuditEvent::reason),
            new ArrayColumn("keyId", Long.class, AuditEvent::keyId),
            new ArrayColumn("keyName", String.class, AuditEvent::keyName),
            new ArrayColumn("keyPrefix", String.class, AuditEvent::keyPrefix),
            new ArrayColumn("userId", Long.class, AuditEvent::userId),
            new ArrayColumn("clientAddress", String.class, AuditEvent::clientAddress),
            new ArrayColumn("userAgent", String.class, AuditEvent::userAgent),
            new ArrayColumn("method", String.class, AuditEvent::method),
            new ArrayColumn("path", String.class, AuditEvent::path),
            new ArrayColumn("status", Integer.class, AuditEvent::status),
            new ArrayColumn("requestId", String.class, AuditEvent::requestId),
            new ArrayColumn("instanceId", String.class, AuditEvent::instanceId),
            new ArrayColumn("fingerprint", String.class, AuditEvent::fingerprint),
            new ArrayColumn("actor", String.class, AuditEvent::actor),
            new ArrayColumn("surface", String.class, AuditEvent::surface));

    /**
     * The whole batch in one statement (PostgreSQL): each column's values as one array, unnested into
     * rows, in id order. Two writers storing overlapping batches (a consumer group rebalancing) then
     * take the rows' index locks in the same order and wait for each other instead of deadlocking.
     */
    private static <S extends SqlStatement<S>> S bindColumns(S statement, List<AuditEvent> unordered) {
        final List<AuditEvent> events = unordered.stream().sorted(java.util.Comparator.comparing(AuditEvent::id)).toList();
        for (ArrayColumn column : ARRAY_COLUMNS) {
            final Object[] values = new Object[events.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = column.value().apply(events.get(i));
            }
            statement.bindArray(column.parameter(), column.elementType(), values);
        }
        return statement;
    }

    /** Whether the handle's database is H2 (else PostgreSQL): the two differ in their upserts. */
    public static boolean isH2(Handle handle) {
        try {
            return handle.getConnection().getMetaData().getDatabaseProductName().startsWith("H2");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database the audit store is", e);
        }
    }

    /**
     * The event as the store keeps it: its time to the microsecond, every string cut to its column's
     * length and without U+0000.
     */
    static AuditEvent fit(AuditEvent e) {
        return new AuditEvent(e.id(), e.occurredAt().truncatedTo(ChronoUnit.MICROS), cut(e.type(), SHORT), cut(e.outcome(), 16), cut(e.reason(), SHORT),
                e.keyId(), cut(e.keyName(), NAME), cut(e.keyPrefix(), 16), e.userId(), cut(e.clientAddress(), SHORT),
                cut(e.userAgent(), LONG), cut(e.method(), 16), cut(e.path(), LONG), e.status(), cut(e.requestId(), NAME),
                cut(e.instanceId(), NAME), cut(e.fingerprint(), 128), cut(e.actor(), NAME), cut(e.surface(), SHORT));
    }

    /**
     * The value as its column can hold it: at most {@code length} characters, and U+0000 (which
     * PostgreSQL's text cannot hold) replaced by U+FFFD. Jetty already refuses {@code %00} in a path
     * and key names refuse control characters; this keeps any other way in (a record written to the
     * topic by some other producer, say) from failing the batch it is in, which the consumer would
     * retry for ever.
     */
    private static String cut(String value, int length) {
        if (value == null) {
            return null;
        }
        final String cut = value.length() <= length ? value : value.substring(0, length);
        return cut.indexOf('\u0000') < 0 ? cut : cut.replace('\u0000', '\uFFFD');
    }
}
