package io.authservice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.auditquery.AuditCsv;
import io.authservice.db.Databases;
import io.authservice.testing.CommandRunner;
import io.authservice.testing.CommandRunner.Result;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code audit} on the jar: the query API's search from a shell, on the embedded default's H2 file. */
class AuditCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = TestApps.tempDir();
    private static final TestDatabases.Db DB = TestDatabases.newH2(DIR);
    private static final String CONFIG = TestApps.writeConfig(DB, DIR);
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final List<AuditEvent> EVENTS = new ArrayList<>();
    private static final String FINGERPRINT = "0123456789abcdef0123456789abcdef";

    @BeforeAll
    static void storeEvents() {
        final Jdbi jdbi = Databases.configure(Jdbi.create(DB.url(), DB.user(), DB.password()));
        Databases.migrate(jdbi);
        for (int i = 0; i < 5; i++) {
            EVENTS.add(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, T0.plusSeconds(i))
                    .key(7L, "tts", "abcd1234").request("10.0.0.1", "ua", "GET", "/api/v1/whoami/").status(200).build());
        }
        EVENTS.add(AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, T0.plusSeconds(10))
                .reason(AuditReasons.UNKNOWN).request("203.0.113.9", "=cmd", "GET", "/api/v1/whoami/").status(401).build());
        EVENTS.add(AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, T0.plusSeconds(11))
                .reason(AuditReasons.MALFORMED).fingerprint(FINGERPRINT).status(401).build());
        new AuditStore(jdbi).insertAll(EVENTS);
    }

    @Test
    void jsonAnswersOnePageWithItsCursor() throws Exception {
        final Result first = CommandRunner.run("audit", "--type", "api_key.used", "--limit", "3", CONFIG);
        assertThat(first.succeeded()).as(first.stderr()).isTrue();
        final JsonNode page = JSON.readTree(first.stdout());
        assertThat(page.get("events")).extracting(e -> e.get("id").asText()).containsExactly(
                EVENTS.get(4).id().toString(), EVENTS.get(3).id().toString(), EVENTS.get(2).id().toString());
        final Result second = CommandRunner.run("audit", "--type", "api_key.used", "--limit", "3",
                "--cursor", page.get("next_cursor").asText(), CONFIG);
        final JsonNode rest = JSON.readTree(second.stdout());
        assertThat(rest.get("events")).hasSize(2);
        assertThat(rest.get("next_cursor").isNull()).isTrue();
    }

    @Test
    void ndjsonAndCsvExportEveryMatchingEvent() {
        final Result ndjson = CommandRunner.run("audit", "--from", "2026-11-25T10:00:02Z", "--to", "2026-11-25T11:00:00Z",
                "--format", "ndjson", CONFIG);
        assertThat(ndjson.succeeded()).as(ndjson.stderr()).isTrue();
        assertThat(ndjson.stdout().lines().map(line -> AuditWireFormat.decode(line.getBytes(StandardCharsets.UTF_8))).toList())
                .containsExactly(EVENTS.get(6), EVENTS.get(5), EVENTS.get(4), EVENTS.get(3), EVENTS.get(2));

        final Result csv = CommandRunner.run("audit", "--outcome", "failure", "--client-address", "203.0.113.9",
                "--format", "csv", CONFIG);
        assertThat(csv.stdout().lines().toList()).containsExactly(String.join(",", AuditCsv.COLUMNS),
                EVENTS.get(5).id() + ",2026-11-25T10:00:10Z,api_key.rejected,failure,unknown,,,,,203.0.113.9,'=cmd,GET,"
                        + "/api/v1/whoami/,401,,,,,");
    }

    @Test
    void filtersByFingerprint() throws Exception {
        final Result result = CommandRunner.run("audit", "--fingerprint", FINGERPRINT, CONFIG);
        assertThat(result.succeeded()).as(result.stderr()).isTrue();
        assertThat(JSON.readTree(result.stdout()).get("events")).extracting(e -> e.get("id").asText())
                .containsExactly(EVENTS.get(6).id().toString());
    }

    @Test
    void aBadFilterFailsWithItsReason() {
        final Result result = CommandRunner.run("audit", "--key-id", "seven", CONFIG);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr()).contains("error: 'key_id': 'seven' is not a whole number");
    }
}
