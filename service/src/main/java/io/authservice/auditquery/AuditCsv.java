package io.authservice.auditquery;

import io.authservice.audit.AuditEvent;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Audit events as CSV (RFC 4180, one header line). A text cell that a spreadsheet would run as a
 * formula (it starts with {@code = + - @}, a tab or a carriage return; user agents and paths come
 * from callers) is prefixed with a single quote.
 */
public final class AuditCsv {
    public static final List<String> COLUMNS = List.of("id", "occurred_at", "type", "outcome", "reason", "key_id",
            "key_name", "key_prefix", "user_id", "client_address", "user_agent", "method", "path", "status",
            "request_id", "instance_id", "fingerprint", "actor", "surface");

    private AuditCsv() {
    }

    public static void header(Writer out) throws IOException {
        out.write(String.join(",", COLUMNS));
        out.write("\r\n");
    }

    public static void row(Writer out, AuditEvent e) throws IOException {
        final List<String> cells = new ArrayList<>(Arrays.asList(e.id().toString(), e.occurredAt().toString(),
                text(e.type()), text(e.outcome()), text(e.reason()), number(e.keyId()), text(e.keyName()),
                text(e.keyPrefix()), number(e.userId()), text(e.clientAddress()), text(e.userAgent()), text(e.method()),
                text(e.path()), number(e.status()), text(e.requestId()), text(e.instanceId()), text(e.fingerprint()),
                text(e.actor()), text(e.surface())));
        out.write(String.join(",", cells));
        out.write("\r\n");
    }

    private static String number(Number value) {
        return value == null ? "" : value.toString();
    }

    static String text(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        final char first = value.charAt(0);
        final String safe = first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                ? "'" + value : value;
        if (safe.indexOf(',') < 0 && safe.indexOf('"') < 0 && safe.indexOf('\n') < 0 && safe.indexOf('\r') < 0) {
            return safe;
        }
        return '"' + safe.replace("\"", "\"\"") + '"';
    }
}
