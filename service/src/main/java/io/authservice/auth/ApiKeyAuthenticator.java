package io.authservice.auth;

import io.authservice.audit.AuditReasons;
import io.authservice.core.ApiKey;
import io.authservice.core.ApiKeySecrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Judges a presented API key and returns the {@link ApiKeyOutcome}: first the client address's
 * throttle (a throttled address is refused before any lookup), then the key's format (before any
 * lookup), its hash against the cache, its state, then its policy: the client address against the
 * key's allowed addresses (a use from elsewhere is refused {@code address_not_allowed}, the one 401),
 * then the key's rate limit, in memory ({@code rate_limited}, answered 429; not counted against the address). The attempt is counted against its address before
 * the check and given back if the key is good, or if the store could not be read (an outage, not a
 * bad key: refused {@code store_unavailable}, answered 503). Never throws for a bad key.
 */
public final class ApiKeyAuthenticator {
    static final long STORE_RETRY_AFTER_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyAuthenticator.class);

    private final ApiKeyCache cache;
    private final LastUsedRecorder lastUsed;
    private final FailedAttemptThrottle throttle;
    private final ApiKeyRateLimiter limiter;
    private final KeyFingerprints fingerprints;
    private final Clock clock;

    public ApiKeyAuthenticator(ApiKeyCache cache, LastUsedRecorder lastUsed, FailedAttemptThrottle throttle,
                               ApiKeyRateLimiter limiter, KeyFingerprints fingerprints, Clock clock) {
        this.limiter = limiter;
        this.cache = cache;
        this.lastUsed = lastUsed;
        this.throttle = throttle;
        this.fingerprints = fingerprints;
        this.clock = clock;
    }

    /** @param presented the {@code X-API-Key} header's value (a secret: it goes no further than its fingerprint) */
    public ApiKeyOutcome authenticate(String presented, Origin origin) {
        final String fingerprint = fingerprints.of(presented);
        // counted before the check and given back if the key is good: no window checks more bad keys than the limit
        final FailedAttemptThrottle.Verdict verdict = throttle.tryAcquire(origin.throttleKey());
        if (verdict instanceof FailedAttemptThrottle.Throttled throttled) {
            return new ApiKeyOutcome.Refused(origin, AuditReasons.THROTTLED, null, fingerprint,
                    throttled.retryAfterSeconds());
        }
        try (FailedAttemptThrottle.Attempt counted = (FailedAttemptThrottle.Attempt) verdict) {
            final ApiKeyOutcome outcome = check(presented, origin, fingerprint);
            // an outage or a good key going too fast is not a bad key
            if (outcome instanceof ApiKeyOutcome.Refused refused && !refused.reason().equals(AuditReasons.STORE_UNAVAILABLE)
                    && !refused.reason().equals(AuditReasons.RATE_LIMITED)) {
                counted.failed();
            }
            return outcome;
        }
    }

    private ApiKeyOutcome check(String presented, Origin origin, String fingerprint) {
        if (!ApiKeySecrets.isWellFormed(presented)) {
            return new ApiKeyOutcome.Refused(origin, AuditReasons.MALFORMED, null, fingerprint, 0);
        }
        final Optional<ApiKey> found;
        try {
            found = cache.find(ApiKeySecrets.hash(presented));
        } catch (RuntimeException e) {
            LOG.warn("answering 503: the API key store cannot be read: {}", e.toString());
            return new ApiKeyOutcome.Refused(origin, AuditReasons.STORE_UNAVAILABLE, null, fingerprint,
                    STORE_RETRY_AFTER_SECONDS);
        }
        if (found.isEmpty()) {
            return new ApiKeyOutcome.Refused(origin, AuditReasons.UNKNOWN, null, fingerprint, 0);
        }
        final ApiKey key = found.get();
        final Instant now = clock.instant();
        return switch (key.statusAt(now)) {
            case INACTIVE -> new ApiKeyOutcome.Refused(origin, AuditReasons.INACTIVE, key, fingerprint, 0);
            case EXPIRED -> new ApiKeyOutcome.Refused(origin, AuditReasons.EXPIRED, key, fingerprint, 0);
            default -> {
                if (!key.policy().allowedAddresses().permits(origin.clientAddress())) {
                    yield new ApiKeyOutcome.Refused(origin, AuditReasons.ADDRESS_NOT_ALLOWED, key, fingerprint, 0);
                }
                final ApiKeyRateLimiter.Verdict rate = limiter.tryAcquire(key);
                if (rate != null && !rate.allowed()) {
                    yield new ApiKeyOutcome.Refused(origin, AuditReasons.RATE_LIMITED, key, fingerprint,
                            rate.retryAfterSeconds(), rate);
                }
                lastUsed.recordUse(key.id(), now);
                yield new ApiKeyOutcome.Accepted(origin, key, fingerprint, rate);
            }
        };
    }
}
