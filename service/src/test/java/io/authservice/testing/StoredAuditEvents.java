package io.authservice.testing;

import io.authservice.audit.AuditEvent;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/** What the audit store holds, read straight from its database rather than through the service. */
public final class StoredAuditEvents {
    private StoredAuditEvents() {
    }

    /** The event as the store keeps it (timestamps to the microsecond). */
    public static AuditEvent asStored(AuditEvent e) {
        return new AuditEvent(e.id(), e.occurredAt().truncatedTo(ChronoUnit.MICROS), e.type(), e.outcome(), e.reason(),
                e.keyId(), e.keyName(), e.keyPrefix(), e.userId(), e.clientAddress(), e.userAgent(), e.method(), e.path(),
                e.status(), e.requestId(), e.instanceId(), e.fingerprint(), e.actor(), e.surface());
    }

    /** How many events the store holds for each request id (events without one are left out). */
    public static Map<String, Integer> countByRequestId(TestDatabases.Db db) {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT request_id, COUNT(*) FROM audit_events WHERE request_id IS NOT NULL GROUP BY request_id")) {
            final Map<String, Integer> counts = new HashMap<>();
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
            return counts;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit store", e);
        }
    }
}
