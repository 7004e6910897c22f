package io.authservice.db;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Instants travel to and from {@code TIMESTAMP WITH TIME ZONE} columns as UTC {@link OffsetDateTime}s,
 * so neither the JVM's nor the database session's time zone can shift them (H2 and PostgreSQL alike).
 */
public final class Timestamps {
    private Timestamps() {
    }

    /** Registers the Instant binding and mapping on a Jdbi. */
    public static void install(Jdbi jdbi) {
        jdbi.registerArgument(new InstantArgumentFactory());
        jdbi.registerColumnMapper(Instant.class, (rs, col, ctx) -> {
            final OffsetDateTime value = rs.getObject(col, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        });
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        final OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static final class InstantArgumentFactory extends AbstractArgumentFactory<Instant> {
        InstantArgumentFactory() {
            super(Types.TIMESTAMP_WITH_TIMEZONE);
        }

        @Override
        protected Argument build(Instant value, ConfigRegistry config) {
            return (position, statement, ctx) -> statement.setObject(position, value.atOffset(ZoneOffset.UTC));
        }
    }
}
