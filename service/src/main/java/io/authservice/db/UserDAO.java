package io.authservice.db;

import io.authservice.core.User;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The {@code users} table. */
@RegisterRowMapper(UserMapper.class)
public interface UserDAO {
    String COLUMNS = "id, username, email, first_name, last_name, password_hash, roles, is_active, date_joined, updated_at";

    @SqlQuery("SELECT " + COLUMNS + " FROM users WHERE id = :id")
    Optional<User> findById(@Bind("id") long id);

    @SqlQuery("SELECT " + COLUMNS + " FROM users WHERE username = :username")
    Optional<User> findByUsername(@Bind("username") String username);

    /** The users with this email, compared without case (emails are not unique). At most {@code limit}. */
    @SqlQuery("SELECT " + COLUMNS + " FROM users WHERE LOWER(email) = LOWER(:email) ORDER BY id LIMIT :limit")
    List<User> findByEmail(@Bind("email") String email, @Bind("limit") int limit);

    @SqlUpdate("UPDATE users SET roles = :roles, updated_at = :updatedAt WHERE id = :id")
    int updateRoles(@Bind("id") long id, @Bind("roles") String roles, @Bind("updatedAt") Instant updatedAt);

    /** The users among {@code ids} (any order); pass at most a few hundred ids. */
    @SqlQuery("SELECT " + COLUMNS + " FROM users WHERE id IN (<ids>)")
    List<User> findByIds(@BindList("ids") Collection<Long> ids);

    /** The users among {@code usernames} (any order); pass at most a few hundred names. */
    @SqlQuery("SELECT " + COLUMNS + " FROM users WHERE username IN (<usernames>)")
    List<User> findByUsernames(@BindList("usernames") Collection<String> usernames);

    @SqlUpdate("INSERT INTO users (username, email, first_name, last_name, password_hash, roles, is_active, "
            + "date_joined, updated_at) VALUES (:username, :email, :firstName, :lastName, :passwordHash, :roles, "
            + ":active, :dateJoined, :updatedAt)")
    @GetGeneratedKeys("id")
    long insert(@Bind("username") String username, @Bind("email") String email, @Bind("firstName") String firstName,
                @Bind("lastName") String lastName, @Bind("passwordHash") String passwordHash, @Bind("roles") String roles,
                @Bind("active") boolean active, @Bind("dateJoined") Instant dateJoined,
                @Bind("updatedAt") Instant updatedAt);
}
