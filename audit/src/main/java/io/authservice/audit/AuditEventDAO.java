package io.authservice.audit;

import org.jdbi.v3.sqlobject.config.RegisterArgumentFactory;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code audit_events} table (changelog {@code audit-migrations.xml}): each event once, keyed by
 * its id, so a batch written twice (a retry, a redelivered Kafka record) leaves one row per event.
 * Use {@link AuditStore} to write: it picks the statement for the database at hand.
 */
@RegisterArgumentFactory(UtcInstantArgumentFactory.class)
@RegisterRowMapper(AuditEventMapper.class)
public interface AuditEventDAO {
    String COLUMNS = "id, occurred_at, type, outcome, reason, key_id, key_name, key_prefix, user_id, client_address, "
            + "user_agent, method, path, status, request_id, instance_id, fingerprint, actor, surface";
    String VALUES = ":id, :occurredAt, :type, :outcome, :reason, :keyId, :keyName, :keyPrefix, :userId, :clientAddress, "
            + ":userAgent, :method, :path, :status, :requestId, :instanceId, :fingerprint, :actor, :surface";

    /**
     * PostgreSQL: a whole batch in one statement, one array per column (in the order of
     * {@link #COLUMNS}), each event inserted unless its id is already stored. One statement is
     * planned and executed once for the batch, where a JDBC batch executes one insert per event.
     * See {@link AuditStore#insertAll}.
     */
    String INSERT_IF_ABSENT_POSTGRES = "INSERT INTO audit_events (" + COLUMNS + ") SELECT * FROM unnest("
            + "CAST(:id AS uuid[]), CAST(:occurredAt AS timestamptz[]), CAST(:type AS varchar[]), "
            + "CAST(:outcome AS varchar[]), CAST(:reason AS varchar[]), CAST(:keyId AS bigint[]), "
            + "CAST(:keyName AS varchar[]), CAST(:keyPrefix AS varchar[]), CAST(:userId AS bigint[]), "
            + "CAST(:clientAddress AS varchar[]), CAST(:userAgent AS varchar[]), CAST(:method AS varchar[]), "
            + "CAST(:path AS varchar[]), CAST(:status AS integer[]), CAST(:requestId AS varchar[]), "
            + "CAST(:instanceId AS varchar[]), CAST(:fingerprint AS varchar[]), CAST(:actor AS varchar[]), "
            + "CAST(:surface AS varchar[])) ON CONFLICT (id) DO NOTHING";

    /** The columns of {@code audit_dead_letters} that a dead letter fills. */
    String DEAD_LETTER_COLUMNS = "topic, partition_no, record_offset, event_index, record_key, payload, error, received_at";
    String DEAD_LETTER_VALUES = ":topic, :partition, :offset, :index, :key, :payload, :error, :receivedAt";

    /** PostgreSQL: a dead letter, unless one for the same event of the same record is already kept. */
    @SqlBatch("INSERT INTO audit_dead_letters (" + DEAD_LETTER_COLUMNS + ") VALUES (" + DEAD_LETTER_VALUES + ")"
            + " ON CONFLICT DO NOTHING")
    int[] insertDeadLettersPostgres(@BindMethods Collection<DeadLetter> letters);

    /** H2: the same through MERGE on the event's position (topic, partition, offset, index). */
    @SqlBatch("MERGE INTO audit_dead_letters (" + DEAD_LETTER_COLUMNS + ")"
            + " KEY (topic, partition_no, record_offset, event_index) VALUES (" + DEAD_LETTER_VALUES + ")")
    int[] insertDeadLettersH2(@BindMethods Collection<DeadLetter> letters);

    /**
     * Deletes at most {@code limit} of the oldest events that occurred before {@code cutoff} (found
     * through the index on occurred_at); one statement, so one short transaction under autocommit.
     */
    @SqlUpdate("DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE occurred_at < :cutoff"
            + " ORDER BY occurred_at LIMIT :limit)")
    int deleteOlderThan(@Bind("cutoff") Instant cutoff, @Bind("limit") int limit);

    /** Deletes at most {@code limit} of the oldest dead letters received before {@code cutoff}. */
    @SqlUpdate("DELETE FROM audit_dead_letters WHERE id IN (SELECT id FROM audit_dead_letters WHERE received_at < :cutoff"
            + " ORDER BY received_at LIMIT :limit)")
    int deleteDeadLettersOlderThan(@Bind("cutoff") Instant cutoff, @Bind("limit") int limit);

    @SqlQuery("SELECT COUNT(*) FROM audit_events WHERE occurred_at < :cutoff")
    long countOlderThan(@Bind("cutoff") Instant cutoff);

    @SqlQuery("SELECT COUNT(*) FROM audit_dead_letters WHERE received_at < :cutoff")
    long countDeadLettersOlderThan(@Bind("cutoff") Instant cutoff);

    @SqlQuery("SELECT " + COLUMNS + " FROM audit_events WHERE id = :id")
    Optional<AuditEvent> find(@Bind("id") UUID id);

    @SqlQuery("SELECT COUNT(*) FROM audit_events")
    long count();
}
