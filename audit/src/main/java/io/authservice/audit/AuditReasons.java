package io.authservice.audit;

/** Why an attempt failed. The client sees one 401 for all of these; the audit trail sees the truth. */
public final class AuditReasons {
    /**
     * The presented value has neither key format: not 40 lowercase hex characters, nor a prefixed
     * key whose checksum matches (a typo or a truncated copy of one).
     */
    public static final String MALFORMED = "malformed";
    /** No key with that hash exists. */
    public static final String UNKNOWN = "unknown";
    /** The key exists but was deactivated. */
    public static final String INACTIVE = "inactive";
    /** The key exists but its expiry has passed. */
    public static final String EXPIRED = "expired";
    /** The key is valid but lacks the scope the endpoint needs. */
    public static final String INSUFFICIENT_SCOPE = "insufficient_scope";
    /** The client address is throttled after too many failures. */
    public static final String THROTTLED = "throttled";
    /** The key is good but the client address is outside its allowed addresses (answered the one 401). */
    public static final String ADDRESS_NOT_ALLOWED = "address_not_allowed";
    /** The key is good but past its rate limit (answered 429 with {@code Retry-After} and {@code RateLimit-*}). */
    public static final String RATE_LIMITED = "rate_limited";
    /** The key is not cached and the key store cannot be read (the database is down): answered 503. */
    public static final String STORE_UNAVAILABLE = "store_unavailable";

    // tokens (EXPIRED and MALFORMED above apply to tokens too)
    /** A token's {@code nbf} (or {@code iat}) lies in the future, beyond the allowed clock skew. */
    public static final String NOT_YET_VALID = "not_yet_valid";
    /** A token's signature does not verify with the key its {@code kid} names. */
    public static final String BAD_SIGNATURE = "bad_signature";
    /** A token's {@code alg} is not on the allow-list ({@code none}, HMAC, ...). */
    public static final String DISALLOWED_ALGORITHM = "disallowed_algorithm";
    /** A token names a key id this service does not know. */
    public static final String UNKNOWN_KID = "unknown_kid";
    public static final String WRONG_ISSUER = "wrong_issuer";
    public static final String WRONG_AUDIENCE = "wrong_audience";
    /** A token of another type, e.g. a refresh token presented as an access token. */
    public static final String WRONG_TOKEN_TYPE = "wrong_token_type";
    /** A token lacks a required claim or has one of the wrong form. */
    public static final String MISSING_CLAIM = "missing_claim";
    /** A refresh token (or its family) was revoked, by sign-out or reuse detection. */
    public static final String REVOKED = "revoked";
    /** A refresh token that was already exchanged was presented again. */
    public static final String REFRESH_REUSED = "refresh_reused";
    /** A refresh family was revoked because its holder signed out (stored as the family's revoked reason). */
    public static final String LOGOUT = "logout";

    // sign-in
    /** No user has the presented username or email. */
    public static final String UNKNOWN_USER = "unknown_user";
    /** The password does not match. */
    public static final String BAD_PASSWORD = "bad_password";
    /** The user has no password and cannot sign in. */
    public static final String NO_PASSWORD = "no_password";
    /** Too many password checks were running; this one was not started (503). */
    public static final String OVERLOADED = "overloaded";

    // the trail's self-check
    /** The sealed trail does not verify: events changed, deleted or added, or digests missing, unlinked or badly signed. */
    public static final String TRAIL_BROKEN = "trail_broken";
    /** The trail could not be verified (the store could not be read). */
    public static final String VERIFICATION_FAILED = "verification_failed";

    // alerts: the rule an alert.raised event names (io.authservice.audit.alert.AlertRules)
    /** Many failures from one client address, or with one bad-key fingerprint, within one window. */
    public static final String FAILURE_BURST = "failure_burst";
    /** A deactivated, rotated-out, expired or deleted key was presented after the grace period. */
    public static final String RETIRED_KEY_USED = "retired_key_used";
    /** A key was used from an address range it was not used from in the last N days. */
    public static final String NEW_ADDRESS_RANGE = "new_address_range";
    /** A refresh token was presented again after it was exchanged (token.refresh_reused). */
    public static final String REFRESH_TOKEN_REUSED = "refresh_token_reused";
    /** A test alert, raised by the test-alert task. */
    public static final String TEST_ALERT = "test_alert";

    private AuditReasons() {
    }
}
