package io.authservice.testing;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditLog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** An audit seam that keeps what it is handed, for tests to read. */
public final class RecordingAuditLog implements AuditLog {
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void record(AuditEvent event) {
        events.add(event);
    }

    public List<AuditEvent> events() {
        return List.copyOf(events);
    }

    public List<AuditEvent> matching(Predicate<AuditEvent> filter) {
        return events.stream().filter(filter).toList();
    }

    public void clear() {
        events.clear();
    }
}
