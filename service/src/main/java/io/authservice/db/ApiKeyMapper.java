package io.authservice.db;

import io.authservice.core.ApiKey;
import io.authservice.core.KeyPolicy;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static io.authservice.db.Timestamps.instant;

/** Maps an {@code api_keys} row. */
public final class ApiKeyMapper implements RowMapper<ApiKey> {
    @Override
    public ApiKey map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new ApiKey(
                rs.getLong("id"),
                rs.getString("name"),
                rs.getString("prefix"),
                rs.getString("key_hash").trim(),
                scopes(rs.getString("scopes")),
                rs.getBoolean("is_active"),
                instant(rs, "created_at"),
                instant(rs, "expires_at"),
                instant(rs, "last_used_at"),
                instant(rs, "deactivated_at"),
                instant(rs, "updated_at"),
                rs.getObject("replaced_by", Long.class),
                // parsed here, once per load into the key cache, never per request
                KeyPolicy.parse(rs.getString("allowed_addresses"), rs.getString("rate_limit")));
    }

    private static Set<String> scopes(String stored) {
        if (stored == null || stored.isEmpty()) {
            return Set.of();
        }
        return Arrays.stream(stored.split(",")).collect(Collectors.toUnmodifiableSet());
    }
}
