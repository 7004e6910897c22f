package io.authservice.core;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditLog;
import io.authservice.audit.AuditReasons;
import io.authservice.db.ApiKeyDAO;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * {@code report-leaked-key}: someone found a key where it should not be (a repository, a paste, a
 * log) and hands it in. A stored key with that value is deactivated through {@link ApiKeyService}
 * with the reporter as its actor (so every instance drops it within the revocation delay), and an
 * {@code api_key.leaked} event records who reported it, with the key's id and the fingerprint of
 * the value, never the value. The reporter is told the same whatever was found, so a report says
 * nothing about which keys exist or are active; the audit trail says what happened.
 */
public final class LeakedKeys {
    /** Longer than any key of either format; a longer value is refused before it is hashed. */
    public static final int MAX_LENGTH = 100;
    /** What every accepted report is answered, found or not. */
    public static final String ANSWER = "Thank you. If this is a key of this service it is deactivated on every instance"
            + " within the revocation delay; the report is in the audit trail.";

    private final Jdbi jdbi;
    private final ApiKeyService keys;
    private final UnaryOperator<String> fingerprints;
    private final Clock clock;
    private final AuditLog audit;
    private final String instanceId;

    /** @param fingerprints the audit trail's fingerprint of a presented value ({@code KeyFingerprints::of}) */
    public LeakedKeys(Jdbi jdbi, ApiKeyService keys, UnaryOperator<String> fingerprints, Clock clock, AuditLog audit,
                      String instanceId) {
        this.jdbi = jdbi;
        this.keys = keys;
        this.fingerprints = fingerprints;
        this.clock = clock;
        this.audit = audit;
        this.instanceId = instanceId;
    }

    /** What a report found: for the audit trail and tests, never for the reporter. */
    public enum Outcome { DEACTIVATED, ALREADY_INACTIVE, UNKNOWN }

    /**
     * Takes a report of {@code leaked}; refuses (400) only what is not a key of either format, which
     * says nothing about the stored keys.
     */
    public Outcome report(String leaked, Actor reporter) {
        if (leaked == null || leaked.isBlank()) {
            throw new InvalidInputException("'key' is required: the leaked API key");
        }
        if (leaked.length() > MAX_LENGTH || !ApiKeySecrets.isWellFormed(leaked)) {
            throw new InvalidInputException("'key' is not an API key: neither 40 lowercase hex characters nor a"
                    + " prefixed key with a valid checksum (was it copied whole?)");
        }
        final String fingerprint = fingerprints.apply(leaked);
        final Optional<ApiKey> found = jdbi.withExtension(ApiKeyDAO.class, dao -> dao.findByHash(ApiKeySecrets.hash(leaked)));
        if (found.isEmpty()) {
            record(AuditEvent.FAILURE, null, fingerprint, reporter);
            return Outcome.UNKNOWN;
        }
        final ApiKey key = found.get();
        try {
            keys.deactivate(new KeyRef(key.id(), null), reporter);
        } catch (RequestRefusedException deletedMeanwhile) {
            record(AuditEvent.FAILURE, null, fingerprint, reporter);
            return Outcome.UNKNOWN;
        }
        record(AuditEvent.SUCCESS, key, fingerprint, reporter);
        return key.active() ? Outcome.DEACTIVATED : Outcome.ALREADY_INACTIVE;
    }

    private void record(String outcome, ApiKey key, String fingerprint, Actor reporter) {
        final AuditEvent.Builder event = AuditEvent.builder(AuditEventTypes.API_KEY_LEAKED, outcome, now())
                .fingerprint(fingerprint)
                .actor(reporter.who(), reporter.surface())
                .instanceId(instanceId);
        if (key == null) {
            event.reason(AuditReasons.UNKNOWN);
        } else {
            event.key(key.id(), key.name(), key.prefix());
        }
        audit.record(event.build());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
