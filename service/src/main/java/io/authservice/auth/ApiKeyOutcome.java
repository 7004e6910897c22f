package io.authservice.auth;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.core.ApiKey;
import io.authservice.core.Caller;
import io.authservice.core.ServiceCaller;
import io.authservice.resources.ErrorResponses;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.time.Instant;

/**
 * What one presented API key came to: {@link Accepted} (the caller) or {@link Refused} (the reason,
 * with the fingerprint of what was presented). Immutable; {@link ApiKeyAuthenticator} makes it, it
 * travels with its request under {@link #PROPERTY}, and this type alone says how each outcome is
 * answered ({@link Refused#answer}) and audited ({@link #toEvent}). Holds the key's record, never the key.
 */
public sealed interface ApiKeyOutcome permits ApiKeyOutcome.Accepted, ApiKeyOutcome.Refused {
    /** Request property under which the outcome travels with its request. */
    String PROPERTY = ApiKeyOutcome.class.getName();
    /** The name of an accepted outcome in the metrics ({@code auth.api-key.used}). */
    String USED = "used";
    String THROTTLED_MESSAGE = "Too many failed attempts from this address; retry later.";
    String RATE_LIMITED_MESSAGE = "This API key's rate limit is reached; retry after Retry-After seconds.";
    String STORE_UNAVAILABLE_MESSAGE = "The API key store cannot be read now; retry later.";

    Origin origin();

    /** {@link #USED}, or the reason of a refusal: the metric name suffix and the audit reason. */
    String outcome();

    /** The one audit event for this outcome, given the status the request was answered with. */
    AuditEvent toEvent(int status, Instant now, String instanceId);

    /**
     * A good key: the request goes on as its service.
     *
     * @param fingerprint of the presented key, should the endpoint then refuse it for its scope
     * @param rateLimit   where the key has a rate limit, how this request fared (for the {@code RateLimit-*} headers); else null
     */
    record Accepted(Origin origin, ApiKey key, String fingerprint, ApiKeyRateLimiter.Verdict rateLimit)
            implements ApiKeyOutcome {
        /** A good key without a rate limit. */
        public Accepted(Origin origin, ApiKey key, String fingerprint) {
            this(origin, key, fingerprint, null);
        }

        public Caller caller() {
            return new ServiceCaller(key);
        }

        /** The key lacks a scope the endpoint requires (answered 403 by the roles check). */
        public Refused withoutScope() {
            return new Refused(origin, AuditReasons.INSUFFICIENT_SCOPE, key, fingerprint, 0);
        }

        @Override
        public String outcome() {
            return USED;
        }

        @Override
        public AuditEvent toEvent(int status, Instant now, String instanceId) {
            return origin.describe(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, now))
                    .status(status)
                    .instanceId(instanceId)
                    .key(key.id(), key.name(), key.prefix())
                    .build();
        }
    }

    /**
     * A refused key, with its true reason (the answer tells the caller no more than the one 401 does).
     *
     * @param known             the key's record where the key exists (inactive, expired, without the scope), else null
     * @param fingerprint       of what was presented
     * @param retryAfterSeconds when to try again, for a refusal that says so (throttled, rate limited, store unavailable); else 0
     * @param rateLimit         for {@code rate_limited}, the key's limit as this instance enforces it; else null
     */
    record Refused(Origin origin, String reason, ApiKey known, String fingerprint, long retryAfterSeconds,
                   ApiKeyRateLimiter.Verdict rateLimit) implements ApiKeyOutcome {

        /** A refusal that is not the key's rate limit. */
        public Refused(Origin origin, String reason, ApiKey known, String fingerprint, long retryAfterSeconds) {
            this(origin, reason, known, fingerprint, retryAfterSeconds, null);
        }

        /**
         * The answer that ends the request: 429 or 503 with {@code Retry-After} (and, past the key's
         * rate limit, the {@code RateLimit-*} headers), else the one 401
         * that every bad credential gets ({@link JsonUnauthorizedHandler#MESSAGE}, challenging {@code scheme}).
         */
        public WebApplicationException answer(String scheme, String realm) {
            return switch (reason) {
                case AuditReasons.THROTTLED ->
                        ErrorResponses.retryLater(Response.Status.TOO_MANY_REQUESTS, retryAfterSeconds, THROTTLED_MESSAGE);
                case AuditReasons.RATE_LIMITED -> ErrorResponses.rateLimited(retryAfterSeconds, rateLimit.limit(),
                        rateLimit.remaining(), rateLimit.resetSeconds(), RATE_LIMITED_MESSAGE);
                case AuditReasons.STORE_UNAVAILABLE ->
                        ErrorResponses.retryLater(Response.Status.SERVICE_UNAVAILABLE, retryAfterSeconds, STORE_UNAVAILABLE_MESSAGE);
                default -> new WebApplicationException(
                        ErrorResponses.unauthorized(scheme, realm, JsonUnauthorizedHandler.MESSAGE));
            };
        }

        @Override
        public String outcome() {
            return reason;
        }

        @Override
        public AuditEvent toEvent(int status, Instant now, String instanceId) {
            final AuditEvent.Builder event = origin.describe(AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED,
                            AuditEvent.FAILURE, now))
                    .reason(reason)
                    .status(status)
                    .instanceId(instanceId)
                    .fingerprint(fingerprint);
            if (known != null) {
                event.key(known.id(), known.name(), known.prefix());
            }
            return event.build();
        }
    }
}
