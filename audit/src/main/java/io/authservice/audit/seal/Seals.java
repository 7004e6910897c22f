package io.authservice.audit.seal;

import io.authservice.audit.AuditStore;
import io.authservice.audit.UtcInstantArgumentFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.ResultIterable;
import org.jdbi.v3.core.statement.Query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;

/** The SQL of {@code audit_seals} and {@code audit_seal_chains} (changeset audit-006-seals). */
final class Seals {
    static final String COLUMNS = "chain_id, seq, kind, event_count, first_at, last_at, events_sha256, members, prev_digest,"
            + " key_id, signature, sealed_at";

    private Seals() {
    }

    /** A writer's head: the last sequence number it sealed and that row's digest. */
    record Head(long seq, String digest) {
    }

    /** Locks the chain's head for this transaction (a second writer on the same chain waits), creating it at first use. */
    static Head lockHead(Handle handle, String chainId) {
        final Optional<Head> head = selectHead(handle, chainId);
        if (head.isPresent()) {
            return head.get();
        }
        if (AuditStore.isH2(handle)) {
            handle.createUpdate("MERGE INTO audit_seal_chains t USING (VALUES (CAST(:chain AS VARCHAR(255)))) s(chain_id)"
                    + " ON t.chain_id = s.chain_id WHEN NOT MATCHED THEN INSERT (chain_id, head_seq, head_digest)"
                    + " VALUES (s.chain_id, 0, :genesis)").bind("chain", chainId).bind("genesis", Seal.GENESIS).execute();
        } else {
            handle.createUpdate("INSERT INTO audit_seal_chains (chain_id, head_seq, head_digest) VALUES (:chain, 0, :genesis)"
                    + " ON CONFLICT DO NOTHING").bind("chain", chainId).bind("genesis", Seal.GENESIS).execute();
        }
        return selectHead(handle, chainId).orElseThrow(() -> new IllegalStateException("no head for chain " + chainId));
    }

    private static Optional<Head> selectHead(Handle handle, String chainId) {
        return handle.createQuery("SELECT head_seq, head_digest FROM audit_seal_chains WHERE chain_id = :chain FOR UPDATE")
                .bind("chain", chainId).map((rs, ctx) -> new Head(rs.getLong(1), rs.getString(2))).findOne();
    }

    static void append(Handle handle, Seal seal) {
        handle.createUpdate("INSERT INTO audit_seals (" + COLUMNS + ") VALUES (:chainId, :seq, :kind, :eventCount, :firstAt,"
                        + " :lastAt, :eventsSha256, :members, :prevDigest, :keyId, :signature, :sealedAt)")
                .registerArgument(new UtcInstantArgumentFactory())
                .bindMethods(seal).execute();
        handle.createUpdate("UPDATE audit_seal_chains SET head_seq = :seq, head_digest = :digest WHERE chain_id = :chain")
                .bind("seq", seal.seq()).bind("digest", seal.digest()).bind("chain", seal.chainId()).execute();
    }

    static ResultIterable<Seal> select(Query query) {
        return query.map((rs, ctx) -> read(rs));
    }

    static Seal read(ResultSet rs) throws SQLException {
        return new Seal(rs.getString("chain_id"), rs.getLong("seq"), rs.getString("kind"), rs.getInt("event_count"),
                rs.getObject("first_at", OffsetDateTime.class).toInstant(), rs.getObject("last_at", OffsetDateTime.class).toInstant(),
                rs.getString("events_sha256"), rs.getBytes("members"), rs.getString("prev_digest"), rs.getString("key_id"),
                rs.getString("signature"), rs.getObject("sealed_at", OffsetDateTime.class).toInstant());
    }
}
