package io.authservice.db;

import io.authservice.core.Roles;
import io.authservice.core.User;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

import java.sql.ResultSet;
import java.sql.SQLException;

import static io.authservice.db.Timestamps.instant;

/** Maps a {@code users} row. */
public final class UserMapper implements RowMapper<User> {
    @Override
    public User map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new User(
                rs.getLong("id"),
                rs.getString("username"),
                rs.getString("email"),
                rs.getString("first_name"),
                rs.getString("last_name"),
                rs.getString("password_hash"),
                Roles.fromStored(rs.getString("roles")),
                rs.getBoolean("is_active"),
                instant(rs, "date_joined"),
                instant(rs, "updated_at"));
    }
}
