package io.authservice.audit;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * Writes events into the audit store, each batch in one transaction, each event at most once
 * (its id is the primary key). Strings longer than their column are cut, so one oversized
 * User-Agent cannot fail a whole batch.
 */
public final class AuditStore {
    /** The Liquibase changelog of the audit store, on the classpath. */
    public static final String CHANGELOG = "audit-migrations.xml";

    static final int SHORT = 64;
    static final int NAME = 255;
    static final int LONG = 2048;

    private final Jdbi jdbi;

    public AuditStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Stores the events in one transaction; those already stored are left as they are. */
    public void insertAll(List<AuditEvent> events) {
        write(events, List.of());
    }

    /**
     * Stores events and dead letters in one transaction; events already stored (by id) and dead
     * letters already kept (by topic, partition and offset) are left as they are.
     */
    public void write(List<AuditEvent> events, List<DeadLetter> deadLetters) {
        if (events.isEmpty() && deadLetters.isEmpty()) {
            return;
        }
        final List<AuditEvent> fitted = events.stream().map(AuditStore::fit).toList();
        final List<DeadLetter> letters = deadLetters.stream().map(d -> new DeadLetter(cut(d.topic(), NAME), d.partition(),
                d.offset(), cut(d.key(), NAME), d.payload(), cut(d.error(), LONG), d.receivedAt())).toList();
        jdbi.useTransaction(handle -> {
            final AuditEventDAO dao = handle.attach(AuditEventDAO.class);
            final boolean h2 = isH2(handle);
            if (!fitted.isEmpty()) {
                if (h2) {
                    dao.insertIfAbsentH2(fitted);
                } else {
                    dao.insertIfAbsentPostgres(fitted);
                }
            }
            if (!letters.isEmpty()) {
                if (h2) {
                    dao.insertDeadLettersH2(letters);
                } else {
                    dao.insertDeadLettersPostgres(letters);
                }
            }
        });
    }

    /** Stores one event (commands, which write as they go). */
    public void insert(AuditEvent event) {
        insertAll(List.of(event));
    }

    private static boolean isH2(Handle handle) {
        try {
            return handle.getConnection().getMetaData().getDatabaseProductName().startsWith("H2");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database the audit store is", e);
        }
    }

    /** The event as the store keeps it: its time to the microsecond, every string cut to its column's length. */
    static AuditEvent fit(AuditEvent e) {
        return new AuditEvent(e.id(), e.occurredAt().truncatedTo(ChronoUnit.MICROS), cut(e.type(), SHORT), cut(e.outcome(), 16), cut(e.reason(), SHORT),
                e.keyId(), cut(e.keyName(), NAME), cut(e.keyPrefix(), 16), e.userId(), cut(e.clientAddress(), SHORT),
                cut(e.userAgent(), LONG), cut(e.method(), 16), cut(e.path(), LONG), e.status(), cut(e.requestId(), NAME),
                cut(e.instanceId(), NAME), cut(e.fingerprint(), 128), cut(e.actor(), NAME), cut(e.surface(), SHORT));
    }

    private static String cut(String value, int length) {
        return value == null || value.length() <= length ? value : value.substring(0, length);
    }
}
