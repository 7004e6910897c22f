package io.authservice.audit;

import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Reads a row of {@code audit_events}. */
public final class AuditEventMapper implements RowMapper<AuditEvent> {
    @Override
    public AuditEvent map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new AuditEvent(
                rs.getObject("id", UUID.class),
                rs.getObject("occurred_at", OffsetDateTime.class).toInstant(),
                rs.getString("type"),
                rs.getString("outcome"),
                rs.getString("reason"),
                longOrNull(rs, "key_id"),
                rs.getString("key_name"),
                rs.getString("key_prefix"),
                longOrNull(rs, "user_id"),
                rs.getString("client_address"),
                rs.getString("user_agent"),
                rs.getString("method"),
                rs.getString("path"),
                intOrNull(rs, "status"),
                rs.getString("request_id"),
                rs.getString("instance_id"),
                rs.getString("fingerprint"),
                rs.getString("actor"),
                rs.getString("surface"));
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        final long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Integer intOrNull(ResultSet rs, String column) throws SQLException {
        final int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
