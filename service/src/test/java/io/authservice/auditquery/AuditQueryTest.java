package io.authservice.auditquery;

import io.authservice.core.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditQueryTest {
    @Test
    void filtersAreTypedAndTheLimitDependsOnTheFormat() {
        final Map<String, String> params = Map.of("type", "api_key.used", "key_id", "42", "from", "2026-11-25T10:00:00+01:00");
        final AuditQuery page = AuditQuery.parse(params::get, false);
        assertThat(page.filters()).containsExactlyInAnyOrderEntriesOf(Map.of("type", "api_key.used", "key_id", 42L));
        assertThat(page.from()).isEqualTo(Instant.parse("2026-11-25T09:00:00Z"));
        assertThat(page.to()).isNull();
        assertThat(page.limit()).isEqualTo(AuditQuery.DEFAULT_LIMIT);
        assertThat(AuditQuery.parse(params::get, true).limit()).isNull();
        assertThat(AuditQuery.parse(Map.of("limit", "1000")::get, true).limit()).isEqualTo(1000);
    }

    @Test
    void aCursorRoundTripsAndAForgedOneIsRefused() {
        final AuditCursor cursor = new AuditCursor(Instant.parse("2026-11-25T10:00:00.123456Z"), UUID.randomUUID());
        assertThat(AuditCursor.decode(cursor.encode())).isEqualTo(cursor);
        assertThat(cursor.encode()).matches("[A-Za-z0-9_-]+");
        assertThatThrownBy(() -> AuditCursor.decode("!!")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> AuditCursor.decode("MjoxOjE6eA")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void theFormatComesFromTheParameterThenTheAcceptHeader() {
        assertThat(AuditFormat.choose("CSV", List.of("application/json"))).isEqualTo(AuditFormat.csv);
        assertThat(AuditFormat.choose(null, List.of("application/x-ndjson"))).isEqualTo(AuditFormat.ndjson);
        assertThat(AuditFormat.choose(null, List.of("text/html", "text/csv"))).isEqualTo(AuditFormat.csv);
        assertThat(AuditFormat.choose("", List.of("*/*"))).isEqualTo(AuditFormat.json);
        assertThatThrownBy(() -> AuditFormat.choose("xml", List.of())).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void csvCellsAreQuotedAndFormulasDefused() {
        assertThat(AuditCsv.text("plain")).isEqualTo("plain");
        assertThat(AuditCsv.text("a,b")).isEqualTo("\"a,b\"");
        assertThat(AuditCsv.text("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(AuditCsv.text("line\nbreak")).isEqualTo("\"line\nbreak\"");
        assertThat(AuditCsv.text("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(AuditCsv.text("+1")).isEqualTo("'+1");
        assertThat(AuditCsv.text("@sum")).isEqualTo("'@sum");
        assertThat(AuditCsv.text(null)).isEmpty();
    }

    @Test
    void aCsvRowHasEveryColumnInOrderWithEmptyCellsForNothing() throws java.io.IOException {
        final io.authservice.audit.AuditEvent e = io.authservice.audit.AuditEvent.builder(
                        "api_key.rejected", "failure", Instant.parse("2026-11-25T10:00:00.123456Z"))
                .reason("unknown")
                .request("203.0.113.9", "-curl, \"8.0\"", "GET", "/api/v1/whoami/")
                .status(401)
                .build();
        final java.io.StringWriter out = new java.io.StringWriter();

        AuditCsv.header(out);
        AuditCsv.row(out, e);

        assertThat(out.toString()).isEqualTo(String.join(",", AuditCsv.COLUMNS) + "\r\n"
                + e.id() + ",2026-11-25T10:00:00.123456Z,api_key.rejected,failure,unknown,,,,,203.0.113.9,"
                + "\"'-curl, \"\"8.0\"\"\",GET,/api/v1/whoami/,401,,,,,\r\n");
    }
}
