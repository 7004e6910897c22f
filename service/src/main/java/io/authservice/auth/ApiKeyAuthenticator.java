package io.authservice.auth;

import io.authservice.audit.AuditReasons;
import io.authservice.core.ApiKey;
import io.authservice.core.ApiKeySecrets;
import io.authservice.core.Caller;
import io.authservice.core.ServiceCaller;
import io.dropwizard.auth.Authenticator;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Checks a presented API key: its format (before any lookup), then its hash against the cache,
 * then its state. Answers {@code Optional.empty()} for every kind of bad key and records the true
 * reason on the attempt; throws {@link KeyStoreUnavailableException} (reason
 * {@code store_unavailable} on the attempt) only when the key is not cached and the store cannot be read.
 */
public final class ApiKeyAuthenticator implements Authenticator<ApiKeyCredentials, Caller> {
    private final ApiKeyCache cache;
    private final LastUsedRecorder lastUsed;
    private final Clock clock;

    public ApiKeyAuthenticator(ApiKeyCache cache, LastUsedRecorder lastUsed, Clock clock) {
        this.cache = cache;
        this.lastUsed = lastUsed;
        this.clock = clock;
    }

    @Override
    public Optional<Caller> authenticate(ApiKeyCredentials credentials) {
        final AuthAttempt attempt = credentials.attempt();
        if (!ApiKeySecrets.isWellFormed(credentials.presented())) {
            attempt.reject(AuditReasons.MALFORMED, null);
            return Optional.empty();
        }
        final Optional<ApiKey> found;
        try {
            found = cache.find(ApiKeySecrets.hash(credentials.presented()));
        } catch (RuntimeException e) {
            attempt.reject(AuditReasons.STORE_UNAVAILABLE, null);
            throw new KeyStoreUnavailableException(e);
        }
        if (found.isEmpty()) {
            attempt.reject(AuditReasons.UNKNOWN, null);
            return Optional.empty();
        }
        final ApiKey key = found.get();
        final Instant now = clock.instant();
        switch (key.statusAt(now)) {
            case INACTIVE -> {
                attempt.reject(AuditReasons.INACTIVE, key);
                return Optional.empty();
            }
            case EXPIRED -> {
                attempt.reject(AuditReasons.EXPIRED, key);
                return Optional.empty();
            }
            default -> {
                attempt.accept(key);
                lastUsed.recordUse(key.id(), now);
                return Optional.of(new ServiceCaller(key));
            }
        }
    }
}
