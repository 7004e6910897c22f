package io.authservice.db;

import io.authservice.audit.UtcInstantArgumentFactory;
import org.jdbi.v3.core.Jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Instants travel to and from {@code TIMESTAMP WITH TIME ZONE} columns as UTC {@link OffsetDateTime}s,
 * so neither the JVM's nor the database session's time zone can shift them (H2 and PostgreSQL alike).
 */
public final class Timestamps {
    private Timestamps() {
    }

    /** Registers the Instant binding and mapping on a Jdbi. */
    public static void install(Jdbi jdbi) {
        jdbi.registerArgument(new UtcInstantArgumentFactory());
        jdbi.registerColumnMapper(Instant.class, (rs, col, ctx) -> instant(rs.getObject(col, OffsetDateTime.class)));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        return instant(rs.getObject(column, OffsetDateTime.class));
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
