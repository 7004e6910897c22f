package io.authservice.audit;

import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;

import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Binds an {@link Instant} to a {@code TIMESTAMP WITH TIME ZONE} column as a UTC
 * {@link java.time.OffsetDateTime}, so neither the JVM's nor the session's time zone can shift it.
 */
public final class UtcInstantArgumentFactory extends AbstractArgumentFactory<Instant> {
    public UtcInstantArgumentFactory() {
        super(Types.TIMESTAMP_WITH_TIMEZONE);
    }

    @Override
    protected Argument build(Instant value, ConfigRegistry config) {
        return (position, statement, ctx) -> statement.setObject(position, value.atOffset(ZoneOffset.UTC));
    }
}
