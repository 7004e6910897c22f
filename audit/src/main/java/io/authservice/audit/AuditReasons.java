package io.authservice.audit;

/** Why an attempt failed. The client sees one 401 for all of these; the audit trail sees the truth. */
public final class AuditReasons {
    /** The presented value is not 40 lowercase hex characters. */
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

    private AuditReasons() {
    }
}
