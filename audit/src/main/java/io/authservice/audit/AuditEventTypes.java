package io.authservice.audit;

/** The event types of the audit trail, as they appear on the wire and in the store. */
public final class AuditEventTypes {
    public static final String API_KEY_USED = "api_key.used";
    public static final String API_KEY_REJECTED = "api_key.rejected";
    public static final String API_KEY_CREATED = "api_key.created";
    /** A key's name, scopes, allowed addresses or rate limit were changed ({@code update-api-key}). */
    public static final String API_KEY_UPDATED = "api_key.updated";
    public static final String API_KEY_DEACTIVATED = "api_key.deactivated";
    public static final String API_KEY_ROTATED = "api_key.rotated";
    public static final String API_KEY_DELETED = "api_key.deleted";
    public static final String API_KEY_IMPORTED = "api_key.imported";
    /** An active key expires within {@code apiKeys.expiryWarning}: one a day per key, across instances. */
    public static final String API_KEY_EXPIRING = "api_key.expiring";
    /** Someone reported a key as leaked ({@code report-leaked-key}): success when a stored key matched (it is deactivated), failure {@code unknown} otherwise. */
    public static final String API_KEY_LEAKED = "api_key.leaked";
    /** A presented JWT (access, refresh or one sent to the verify endpoint) was refused. */
    public static final String TOKEN_REJECTED = "token.rejected";
    /** A used refresh token was presented again; its whole family is revoked. */
    public static final String TOKEN_REFRESH_REUSED = "token.refresh_reused";
    /** A refresh token was exchanged for a new pair. */
    public static final String TOKEN_REFRESHED = "token.refreshed";
    /** A refresh family was revoked by signing out. */
    public static final String TOKEN_LOGGED_OUT = "token.logged_out";
    public static final String LOGIN_SUCCEEDED = "login.succeeded";
    public static final String LOGIN_FAILED = "login.failed";
    public static final String USER_CREATED = "user.created";
    public static final String USER_IMPORTED = "user.imported";
    public static final String USER_ROLES_CHANGED = "user.roles_changed";
    public static final String EMPLOYEE_CREATED = "employee.created";
    public static final String EMPLOYEE_IMPORTED = "employee.imported";
    /** The service verified the sealed trail (the self-check): success when everything held. */
    public static final String AUDIT_VERIFIED = "audit.verified";

    /** An alert rule found something (io.authservice.audit.alert): the rule is the reason; delivered from audit_alerts. */
    public static final String ALERT_RAISED = "alert.raised";

    private AuditEventTypes() {
    }
}
