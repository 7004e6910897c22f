package io.authservice.auditing;

import io.authservice.audit.AuditLog;

/** A sink that can tell whether an event handed to it now would be recorded (kept in memory or on disk). */
public interface AuditRecorder extends AuditLog {
    boolean canRecord();
}
