package io.authservice.auth;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.core.ApiKey;

import java.time.Instant;

/**
 * What happened when one request presented an API key. Filled in by the authentication filter,
 * the authenticator and the authorizer; turned into one audit event, with the answered status,
 * when the response leaves ({@link AuthAuditFilter}). Holds the key's record, never the key.
 */
public final class AuthAttempt {
    /** Request property under which the attempt travels with its request. */
    public static final String PROPERTY = AuthAttempt.class.getName();

    private final Origin origin;
    private ApiKey key;
    private String reason;
    private boolean accepted;

    public AuthAttempt(Origin origin) {
        this.origin = origin;
    }

    public String clientAddress() {
        return origin.clientAddress();
    }

    void accept(ApiKey accepted) {
        this.key = accepted;
        this.accepted = true;
        this.reason = null;
    }

    /** @param known the key's record where the key exists (inactive, expired), else null */
    void reject(String why, ApiKey known) {
        this.key = known;
        this.accepted = false;
        this.reason = why;
    }

    /** The key was valid but lacks a scope the endpoint requires. */
    void denyScope() {
        this.reason = AuditReasons.INSUFFICIENT_SCOPE;
    }

    /** Whether a reason was recorded; an attempt with none was never judged (e.g. the store failed). */
    boolean judged() {
        return accepted || reason != null;
    }

    /** Whether the attempt failed (a bad key, a missing scope, a throttled address). */
    boolean rejected() {
        return !(accepted && reason == null);
    }

    /**
     * The event for this attempt, given the status the request was answered with.
     *
     * @param fingerprint the fingerprint of what was presented, for a rejected attempt; else null
     */
    AuditEvent toEvent(int status, Instant now, String instanceId, String fingerprint) {
        final boolean used = !rejected();
        final AuditEvent.Builder event = origin.describe(AuditEvent.builder(
                        used ? AuditEventTypes.API_KEY_USED : AuditEventTypes.API_KEY_REJECTED,
                        used ? AuditEvent.SUCCESS : AuditEvent.FAILURE, now))
                .reason(reason)
                .status(status)
                .instanceId(instanceId)
                .fingerprint(fingerprint);
        if (key != null) {
            event.key(key.id(), key.name(), key.prefix());
        }
        return event.build();
    }

    /** The metric name suffix of this attempt's outcome: {@code used} or the rejection reason. */
    String outcome() {
        return rejected() ? reason : "used";
    }
}
