package io.authservice.db;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.time.Instant;
import java.util.Optional;

/** The {@code refresh_token_families} and {@code refresh_tokens} tables: refresh tokens by jti, never the tokens. */
public interface RefreshTokenDAO {

    @SqlUpdate("INSERT INTO refresh_token_families (id, user_id, created_at) VALUES (:id, :userId, :now)")
    void insertFamily(@Bind("id") String id, @Bind("userId") long userId, @Bind("now") Instant now);

    @SqlUpdate("INSERT INTO refresh_tokens (jti, family_id, issued_at, expires_at) "
            + "VALUES (:jti, :familyId, :issuedAt, :expiresAt)")
    void insertToken(@Bind("jti") String jti, @Bind("familyId") String familyId, @Bind("issuedAt") Instant issuedAt,
                     @Bind("expiresAt") Instant expiresAt);

    /** Marks the token used if it was not; 1 means this caller won it, 0 that it was used (or is unknown). */
    @SqlUpdate("UPDATE refresh_tokens SET used_at = :now WHERE jti = :jti AND family_id = :familyId AND used_at IS NULL")
    int markUsed(@Bind("jti") String jti, @Bind("familyId") String familyId, @Bind("now") Instant now);

    @SqlQuery("SELECT COUNT(*) FROM refresh_tokens WHERE jti = :jti AND family_id = :familyId")
    int countToken(@Bind("jti") String jti, @Bind("familyId") String familyId);

    /** Whether the user's family is revoked; empty when there is no such family. */
    @SqlQuery("SELECT revoked_at IS NOT NULL FROM refresh_token_families WHERE id = :id AND user_id = :userId")
    Optional<Boolean> isRevoked(@Bind("id") String id, @Bind("userId") long userId);

    /**
     * Deletes the sign-ins (and, by the foreign key's cascade, their tokens) begun before
     * {@code cutoff} whose every refresh token expired before it: no token of theirs can be
     * presented any more, so neither exchange nor reuse detection needs them.
     */
    @SqlUpdate("DELETE FROM refresh_token_families WHERE created_at < :cutoff AND NOT EXISTS ("
            + "SELECT 1 FROM refresh_tokens WHERE refresh_tokens.family_id = refresh_token_families.id "
            + "AND refresh_tokens.expires_at >= :cutoff)")
    int deleteSpentFamilies(@Bind("cutoff") Instant cutoff);

    @SqlUpdate("UPDATE refresh_token_families SET revoked_at = :now, revoked_reason = :reason "
            + "WHERE id = :id AND revoked_at IS NULL")
    int revokeFamily(@Bind("id") String id, @Bind("reason") String reason, @Bind("now") Instant now);
}
