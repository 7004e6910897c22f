package io.authservice.db;

import io.authservice.core.ApiKey;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The {@code api_keys} table and its change log {@code api_key_changes}. Every write that changes
 * what authentication would decide must also {@link #recordChange record a change} in the same
 * transaction, so other instances drop the key from their caches.
 */
@RegisterRowMapper(ApiKeyMapper.class)
public interface ApiKeyDAO extends ChangeLogDAO<ApiKeyDAO.KeyChange> {
    String COLUMNS = "id, name, prefix, key_hash, scopes, is_active, created_at, expires_at, last_used_at, "
            + "deactivated_at, updated_at, replaced_by, allowed_addresses, rate_limit";

    @SqlQuery("SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = :hash")
    Optional<ApiKey> findByHash(@Bind("hash") String hash);

    @SqlQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id")
    Optional<ApiKey> findById(@Bind("id") long id);

    /** Keys that answer to a name: active and not superseded by a rotation. */
    @SqlQuery("SELECT " + COLUMNS + " FROM api_keys WHERE name = :name AND is_active AND replaced_by IS NULL ORDER BY id")
    List<ApiKey> findCurrentByName(@Bind("name") String name);

    @SqlQuery("SELECT " + COLUMNS + " FROM api_keys ORDER BY id")
    List<ApiKey> list();

    @SqlUpdate("INSERT INTO api_keys (name, prefix, key_hash, scopes, is_active, created_at, expires_at, "
            + "deactivated_at, updated_at) VALUES (:name, :prefix, :hash, :scopes, :active, :createdAt, :expiresAt, "
            + ":deactivatedAt, :createdAt)")
    @GetGeneratedKeys("id")
    long insert(@Bind("name") String name, @Bind("prefix") String prefix, @Bind("hash") String hash,
                @Bind("scopes") String scopes, @Bind("active") boolean active, @Bind("createdAt") Instant createdAt,
                @Bind("expiresAt") Instant expiresAt, @Bind("deactivatedAt") Instant deactivatedAt);

    /** Sets a key's policy columns (null: anywhere; no limit). */
    @SqlUpdate("UPDATE api_keys SET allowed_addresses = :allowedAddresses, rate_limit = :rateLimit, updated_at = :at "
            + "WHERE id = :id")
    int updatePolicy(@Bind("id") long id, @Bind("allowedAddresses") String allowedAddresses,
                     @Bind("rateLimit") String rateLimit, @Bind("at") Instant at);

    /** Sets what {@code update-api-key} changes: name, scopes and policy (never the key). */
    @SqlUpdate("UPDATE api_keys SET name = :name, scopes = :scopes, allowed_addresses = :allowedAddresses, "
            + "rate_limit = :rateLimit, updated_at = :at WHERE id = :id")
    int update(@Bind("id") long id, @Bind("name") String name, @Bind("scopes") String scopes,
               @Bind("allowedAddresses") String allowedAddresses, @Bind("rateLimit") String rateLimit,
               @Bind("at") Instant at);

    @SqlQuery("SELECT key_hash FROM api_keys WHERE key_hash IN (<hashes>)")
    List<String> existingHashes(@BindList("hashes") Collection<String> hashes);

    @SqlUpdate("UPDATE api_keys SET is_active = FALSE, deactivated_at = :at, updated_at = :at WHERE id = :id AND is_active")
    int deactivate(@Bind("id") long id, @Bind("at") Instant at);

    /**
     * Marks a key as rotated to {@code successor}, only if it is active and not rotated yet: 0 rows
     * when a concurrent rotation or deactivation committed first (the row lock makes the later one
     * wait for it and re-check).
     */
    @SqlUpdate("UPDATE api_keys SET expires_at = :expiresAt, replaced_by = :successor, updated_at = :at "
            + "WHERE id = :id AND is_active AND replaced_by IS NULL")
    int supersede(@Bind("id") long id, @Bind("expiresAt") Instant expiresAt, @Bind("successor") long successor,
                  @Bind("at") Instant at);

    @SqlUpdate("DELETE FROM api_keys WHERE id = :id")
    int delete(@Bind("id") long id);

    /** Batched and deliberately outside the change log: a use changes nothing authentication decides. */
    @SqlBatch("UPDATE api_keys SET last_used_at = :at WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :at)")
    void recordLastUsed(@Bind("id") List<Long> ids, @Bind("at") List<Instant> at);

    @SqlUpdate("INSERT INTO api_key_changes (key_hash, changed_at) VALUES (:hash, CURRENT_TIMESTAMP)")
    void recordChange(@Bind("hash") String hash);

    /** One row of the change log: its id, from an identity column, and the hash of the key changed. */
    record KeyChange(long id, String keyHash) {
    }

    /** Change rows with an id above {@code after}, lowest first. */
    @SqlQuery("SELECT id, key_hash FROM api_key_changes WHERE id > :after ORDER BY id")
    @RegisterConstructorMapper(KeyChange.class)
    List<KeyChange> changesAfter(@Bind("after") long after);

    /** The change rows among these ids that are now visible (committed). */
    @SqlQuery("SELECT id, key_hash FROM api_key_changes WHERE id IN (<ids>)")
    @RegisterConstructorMapper(KeyChange.class)
    List<KeyChange> changesAmong(@BindList("ids") Collection<Long> ids);

    /**
     * In one statement (one snapshot): the change rows stamped at or after {@code since}, by the
     * database's clock, and the row with the highest id whenever it was stamped.
     */
    @SqlQuery("SELECT id, key_hash FROM api_key_changes WHERE changed_at >= :since "
            + "OR id = (SELECT MAX(id) FROM api_key_changes) ORDER BY id")
    @RegisterConstructorMapper(KeyChange.class)
    List<KeyChange> recentChanges(@Bind("since") Instant since);

    @SqlUpdate("DELETE FROM api_key_changes WHERE changed_at < :before")
    int pruneChanges(@Bind("before") Instant before);

    /** The database's clock, which stamps the change log; instances' own clocks may disagree with it. */
    @SqlQuery("SELECT CURRENT_TIMESTAMP")
    Instant databaseNow();
}
