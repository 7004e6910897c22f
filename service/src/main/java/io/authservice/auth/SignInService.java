package io.authservice.auth;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditLog;
import io.authservice.audit.AuditReasons;
import io.authservice.core.ConcurrencyLimit;
import io.authservice.core.PasswordHasher;
import io.authservice.core.User;
import io.authservice.db.RefreshTokenDAO;
import io.authservice.db.UserDAO;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * People's sessions: sign-in with a password, refresh-token rotation with reuse detection, and
 * sign-out. Every refusal, every sign-in and every reuse goes to the audit seam with its true
 * reason; the caller only learns "refused" (or "throttled", or "overloaded"). Never sees, stores or
 * logs a token beyond its {@code jti}.
 */
public final class SignInService {
    /** A username or email longer than any stored one is looked up no further (but still costs a hash). */
    private static final int MAX_IDENTIFIER_LENGTH = 254;

    /** How long a sign-in refused for want of a password-check turn is told to wait. */
    static final long OVERLOADED_RETRY_AFTER_SECONDS = 1;

    private final Jdbi jdbi;
    private final JwtTokens tokens;
    private final PasswordHasher passwords;
    private final Throttles throttles;
    private final AuditLog audit;
    private final Clock clock;
    private final String instanceId;

    public SignInService(Jdbi jdbi, JwtTokens tokens, PasswordHasher passwords, Throttles throttles, AuditLog audit,
                    Clock clock, String instanceId) {
        this.jdbi = jdbi;
        this.tokens = tokens;
        this.passwords = passwords;
        this.throttles = throttles;
        this.audit = audit;
        this.clock = clock;
        this.instanceId = instanceId;
    }

    /**
     * The failed sign-ins counted: per account from one client address (what a person mistyping
     * meets, and all an attacker elsewhere can use up), per account from all addresses (the ceiling
     * on guessing one account's password), and per client address for all accounts.
     */
    public record Throttles(FailedAttemptThrottle perAccountAndAddress, FailedAttemptThrottle perAccount,
                            FailedAttemptThrottle perAddress) {
    }

    /** An access token and a refresh token. */
    public record Pair(JwtTokens.Issued access, JwtTokens.Issued refresh) {
    }

    /** What a sign-in or refresh came to. */
    public sealed interface Outcome {
    }

    public record Granted(Pair pair, long userId) implements Outcome {
    }

    /** Refused; the caller gets the one 401 whatever the reason. */
    public record Refused(String reason) implements Outcome {
    }

    /** Too many failures for this account or address: 429 with {@code Retry-After}. */
    public record Throttled(long retryAfterSeconds) implements Outcome {
    }

    /** No password check could be started in time (too many at once): 503 with {@code Retry-After}. */
    public record Overloaded(long retryAfterSeconds) implements Outcome {
    }

    /**
     * Signs a person in by username or email (exactly one of them) and password. A wrong password,
     * an unknown user, an inactive user and a user without a password all cost one Argon2id check
     * and are answered alike. The attempt is counted against every throttle before the check and
     * given back if it succeeds (or no check could run), so no window checks more than its limit.
     */
    public Outcome signIn(String username, String email, String password, Origin origin) {
        final String account = username != null ? "username:" + username : "email:" + email.toLowerCase(Locale.ROOT);
        final List<FailedAttemptThrottle.Attempt> counted = new ArrayList<>(3);
        try {
            final String address = origin.throttleKey();
            FailedAttemptThrottle.Throttled throttled = count(throttles.perAccountAndAddress(), account + " from " + address,
                    counted);
            if (throttled == null) {
                throttled = count(throttles.perAccount(), account, counted);
            }
            if (throttled == null) {
                throttled = count(throttles.perAddress(), address, counted);
            }
            if (throttled != null) {
                record(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE, AuditReasons.THROTTLED, null, origin, 429);
                return new Throttled(throttled.retryAfterSeconds());
            }
            final Outcome outcome = check(username, email, password, origin);
            if (outcome instanceof Refused) {
                counted.forEach(FailedAttemptThrottle.Attempt::failed);
            }
            return outcome;
        } finally {
            counted.forEach(FailedAttemptThrottle.Attempt::close);
        }
    }

    /** Counts one attempt for {@code key} into {@code counted}, or answers the throttle's refusal. */
    private static FailedAttemptThrottle.Throttled count(FailedAttemptThrottle throttle, String key,
                                                         List<FailedAttemptThrottle.Attempt> counted) {
        final FailedAttemptThrottle.Verdict verdict = throttle.tryAcquire(key);
        if (verdict instanceof FailedAttemptThrottle.Throttled throttled) {
            return throttled;
        }
        counted.add((FailedAttemptThrottle.Attempt) verdict);
        return null;
    }

    private Outcome check(String username, String email, String password, Origin origin) {
        final Optional<User> found = find(username, email);
        final String reason;
        try {
            if (found.isEmpty()) {
                passwords.verifyDummy(password);
                reason = AuditReasons.UNKNOWN_USER;
            } else if (!found.get().hasPassword()) {
                passwords.verifyDummy(password);
                reason = AuditReasons.NO_PASSWORD;
            } else if (!passwords.verify(password, found.get().passwordHash())) {
                reason = AuditReasons.BAD_PASSWORD;
            } else if (!found.get().active()) {
                reason = AuditReasons.INACTIVE;
            } else {
                reason = null;
            }
        } catch (ConcurrencyLimit.OverloadedException e) {
            record(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE, AuditReasons.OVERLOADED,
                    found.map(User::id).orElse(null), origin, 503);
            return new Overloaded(OVERLOADED_RETRY_AFTER_SECONDS);
        }
        final Long userId = found.map(User::id).orElse(null);
        if (reason != null) {
            record(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE, reason, userId, origin, 401);
            return new Refused(reason);
        }
        final User user = found.get();
        final Instant now = clock.instant();
        final String family = UUID.randomUUID().toString();
        final Pair pair = new Pair(tokens.access(user), tokens.refresh(user.id(), family));
        jdbi.useTransaction(handle -> {
            final RefreshTokenDAO dao = handle.attach(RefreshTokenDAO.class);
            dao.insertFamily(family, user.id(), now);
            dao.insertToken(pair.refresh().jti(), family, pair.refresh().issuedAt(), pair.refresh().expiresAt());
        });
        record(AuditEventTypes.LOGIN_SUCCEEDED, AuditEvent.SUCCESS, null, user.id(), origin, 200);
        return new Granted(pair, user.id());
    }

    /**
     * Exchanges a refresh token for a new pair in the same family. A refresh token works once:
     * presenting one that was already exchanged revokes its whole family (someone else holds a copy).
     */
    public Outcome refresh(String refreshToken, Origin origin) {
        final JwtTokens.Check check = tokens.check(refreshToken, JwtTokens.Kind.REFRESH);
        if (check instanceof JwtTokens.Rejected rejected) {
            record(AuditEventTypes.TOKEN_REJECTED, AuditEvent.FAILURE, rejected.reason(), rejected.userId(), origin, 401);
            return new Refused(rejected.reason());
        }
        final JwtTokens.Valid valid = (JwtTokens.Valid) check;
        final long userId = valid.userId();
        final String family = (String) valid.claims().getClaim(JwtTokens.CLAIM_FAMILY);
        final String jti = valid.claims().getJWTID();
        final Instant now = clock.instant();
        final Outcome outcome = jdbi.inTransaction(handle -> {
            final RefreshTokenDAO dao = handle.attach(RefreshTokenDAO.class);
            if (dao.isRevoked(family, userId).orElse(true)) {
                return new Refused(AuditReasons.REVOKED);
            }
            if (dao.markUsed(jti, family, now) == 0) {
                if (dao.countToken(jti, family) == 0) {
                    return new Refused(AuditReasons.REVOKED);
                }
                dao.revokeFamily(family, AuditReasons.REFRESH_REUSED, now);
                return new Refused(AuditReasons.REFRESH_REUSED);
            }
            final Optional<User> user = handle.attach(UserDAO.class).findById(userId);
            if (user.isEmpty() || !user.get().active() || !user.get().hasPassword()) {
                dao.revokeFamily(family, AuditReasons.INACTIVE, now);
                return new Refused(AuditReasons.INACTIVE);
            }
            final Pair pair = new Pair(tokens.access(user.get()), tokens.refresh(userId, family));
            dao.insertToken(pair.refresh().jti(), family, pair.refresh().issuedAt(), pair.refresh().expiresAt());
            return new Granted(pair, userId);
        });
        if (outcome instanceof Refused refused) {
            final boolean reused = AuditReasons.REFRESH_REUSED.equals(refused.reason());
            record(reused ? AuditEventTypes.TOKEN_REFRESH_REUSED : AuditEventTypes.TOKEN_REJECTED, AuditEvent.FAILURE,
                    refused.reason(), userId, origin, 401);
        } else {
            record(AuditEventTypes.TOKEN_REFRESHED, AuditEvent.SUCCESS, null, userId, origin, 200);
        }
        return outcome;
    }

    /** Revokes the family of a (valid) refresh token; a missing or bad token changes nothing. */
    public void signOut(String refreshToken, Origin origin) {
        if (refreshToken == null || refreshToken.isEmpty()) {
            return;
        }
        final JwtTokens.Check check = tokens.check(refreshToken, JwtTokens.Kind.REFRESH);
        if (check instanceof JwtTokens.Rejected rejected) {
            record(AuditEventTypes.TOKEN_REJECTED, AuditEvent.FAILURE, rejected.reason(), rejected.userId(), origin, 204);
            return;
        }
        final JwtTokens.Valid valid = (JwtTokens.Valid) check;
        final String family = (String) valid.claims().getClaim(JwtTokens.CLAIM_FAMILY);
        jdbi.useExtension(RefreshTokenDAO.class, dao -> dao.revokeFamily(family, AuditReasons.LOGOUT, clock.instant()));
        record(AuditEventTypes.TOKEN_LOGGED_OUT, AuditEvent.SUCCESS, null, valid.userId(), origin, 204);
    }

    /** Checks an access token for a service that does not verify tokens itself. */
    public JwtTokens.Check verify(String token, Origin origin) {
        final JwtTokens.Check check = tokens.check(token, JwtTokens.Kind.ACCESS);
        if (check instanceof JwtTokens.Rejected rejected) {
            record(AuditEventTypes.TOKEN_REJECTED, AuditEvent.FAILURE, rejected.reason(), rejected.userId(), origin, 401);
        }
        return check;
    }

    private Optional<User> find(String username, String email) {
        if (!storable(username != null ? username : email)) {
            return Optional.empty(); // e.g. a NUL, which PostgreSQL refuses to compare: no user can have it
        }
        if (username != null) {
            if (username.length() > MAX_IDENTIFIER_LENGTH) {
                return Optional.empty();
            }
            return jdbi.withExtension(UserDAO.class, dao -> dao.findByUsername(username));
        }
        if (email.length() > MAX_IDENTIFIER_LENGTH || email.isBlank()) {
            return Optional.empty();
        }
        // emails are not unique: sign-in by email works only where exactly one user has it
        final List<User> users = jdbi.withExtension(UserDAO.class, dao -> dao.findByEmail(email, 2));
        return users.size() == 1 ? Optional.of(users.get(0)) : Optional.empty();
    }

    /** Whether a stored username or email could be this: no control characters, well-formed UTF-16. */
    private static boolean storable(String identifier) {
        for (int i = 0; i < identifier.length(); i++) {
            final char c = identifier.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < identifier.length()
                    && Character.isLowSurrogate(identifier.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private void record(String type, String outcome, String reason, Long userId, Origin origin, int status) {
        audit.record(origin.describe(AuditEvent.builder(type, outcome, clock.instant()))
                .reason(reason)
                .userId(userId)
                .status(status)
                .instanceId(instanceId)
                .build());
    }
}
