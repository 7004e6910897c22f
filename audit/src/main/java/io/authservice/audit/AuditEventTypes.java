package io.authservice.audit;

/** The event types of the audit trail, as they appear on the wire and in the store. */
public final class AuditEventTypes {
    public static final String API_KEY_USED = "api_key.used";
    public static final String API_KEY_REJECTED = "api_key.rejected";
    public static final String API_KEY_CREATED = "api_key.created";
    public static final String API_KEY_DEACTIVATED = "api_key.deactivated";
    public static final String API_KEY_ROTATED = "api_key.rotated";
    public static final String API_KEY_DELETED = "api_key.deleted";
    public static final String API_KEY_IMPORTED = "api_key.imported";

    private AuditEventTypes() {
    }
}
