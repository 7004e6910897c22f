package io.authservice.db;

import io.authservice.core.ApiKey;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The expiry warnings' column of {@code api_keys} ({@code last_expiry_warning_on}). Outside the
 * change log: a warning changes nothing authentication decides.
 */
@RegisterRowMapper(ApiKeyMapper.class)
public interface ApiKeyExpiryDAO {
    /** Active keys whose expiry is after {@code now} and at or before {@code until}, soonest first. */
    @SqlQuery("SELECT " + ApiKeyDAO.COLUMNS + " FROM api_keys WHERE is_active AND expires_at > :now"
            + " AND expires_at <= :until ORDER BY expires_at, id")
    List<ApiKey> expiringBetween(@Bind("now") Instant now, @Bind("until") Instant until);

    /**
     * Claims {@code today}'s warning for the key: 1 when this call moved the key's warning date
     * forward to {@code today}, 0 when some instance (or an earlier run) already warned today or
     * later. The row lock serialises concurrent claims; the loser re-reads the date and matches nothing.
     */
    @SqlUpdate("UPDATE api_keys SET last_expiry_warning_on = :today WHERE id = :id"
            + " AND (last_expiry_warning_on IS NULL OR last_expiry_warning_on < :today)")
    int claimWarning(@Bind("id") long id, @Bind("today") LocalDate today);
}
