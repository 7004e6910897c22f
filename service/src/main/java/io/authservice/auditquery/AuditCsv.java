package io.authservice.auditquery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.authservice.audit.AuditEvent;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Audit events as CSV (RFC 4180, one header line, CRLF), written by jackson-dataformat-csv with
 * strict quoting (a cell is quoted only when it holds a comma, a quote or a line break). A text
 * cell that a spreadsheet would run as a formula (it starts with {@code = + - @}, a tab or a
 * carriage return; user agents and paths come from callers) is prefixed with a single quote.
 */
public final class AuditCsv {
    public static final List<String> COLUMNS = List.of("id", "occurred_at", "type", "outcome", "reason", "key_id",
            "key_name", "key_prefix", "user_id", "client_address", "user_agent", "method", "path", "status",
            "request_id", "instance_id", "fingerprint", "actor", "surface");
    private static final String LINE_END = "\r\n";
    private static final ObjectWriter ROW = CsvMapper.builder()
            .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
            .build()
            .writer(CsvSchema.emptySchema().withLineSeparator(LINE_END));

    private AuditCsv() {
    }

    public static void header(Writer out) throws IOException {
        out.write(ROW.writeValueAsString(COLUMNS.toArray(String[]::new)));
    }

    public static void row(Writer out, AuditEvent e) throws IOException {
        out.write(ROW.writeValueAsString(new String[] {e.id().toString(), e.occurredAt().toString(),
                safe(e.type()), safe(e.outcome()), safe(e.reason()), number(e.keyId()), safe(e.keyName()),
                safe(e.keyPrefix()), number(e.userId()), safe(e.clientAddress()), safe(e.userAgent()), safe(e.method()),
                safe(e.path()), number(e.status()), safe(e.requestId()), safe(e.instanceId()), safe(e.fingerprint()),
                safe(e.actor()), safe(e.surface())}));
    }

    /** One text cell as it appears in a row: formula-guarded, then quoted where CSV needs it. */
    static String text(String value) {
        try {
            final String line = ROW.writeValueAsString(new String[] {safe(value)});
            return line.substring(0, line.length() - LINE_END.length());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a CSV cell", e);
        }
    }

    private static String number(Number value) {
        return value == null ? "" : value.toString();
    }

    /** The value with a leading quote where a spreadsheet would run it as a formula; "" for none (the CSV writer drops null cells). */
    private static String safe(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        final char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                ? "'" + value : value;
    }
}
