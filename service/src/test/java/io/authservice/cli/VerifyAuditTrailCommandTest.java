package io.authservice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.audit.seal.BatchSealer;
import io.authservice.audit.seal.SealKey;
import io.authservice.db.Databases;
import io.authservice.testing.CommandRunner;
import io.authservice.testing.CommandRunner.Result;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code audit --format ndjson --with-seals} then {@code verify-audit-trail --file --keys} on the jar,
 * on the embedded default's H2 file: the export verifies offline with the published keys, a changed
 * line is named, and a file without seals cannot be verified.
 */
class VerifyAuditTrailCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir = TestApps.tempDir();
    private final TestDatabases.Db db = TestDatabases.newH2(dir);
    private final String config = TestApps.writeConfig(db, dir);
    private final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
    private final SealKey key = SealKey.generate();
    /** The sealer's and the events' clock. */
    private final TestClock clock = new TestClock();

    @Test
    void anExportWithItsSealsVerifiesOfflineAndAChangedLineIsNamed() throws Exception {
        Databases.migrate(jdbi);
        final Instant at = clock.instant().minusSeconds(60);
        final AuditStore store = new AuditStore(jdbi, List.of(new BatchSealer("direct:test", key, clock)));
        store.insertAll(List.of(event(at), event(at.plusMillis(1))));
        store.insertAll(List.of(event(at.plusMillis(2))));
        final Path keys = dir.resolve("audit-keys.json");
        Files.writeString(keys, JSON.writeValueAsString(Map.of("keys", List.of(Map.of("kid", key.keyId(), "alg", "Ed25519",
                "public_key", key.publicBase64())))));

        final Result export = CommandRunner.run(clock, "audit", "--format", "ndjson", "--with-seals", config);
        assertThat(export.succeeded()).as(export.stderr()).isTrue();
        final List<String> lines = export.stdout().lines().toList();
        assertThat(lines).hasSize(3 + 2 + 1);
        final Path file = dir.resolve("export.ndjson");
        Files.writeString(file, export.stdout(), StandardCharsets.UTF_8);

        final Result verified = CommandRunner.run(clock, "verify-audit-trail", "--file", file.toString(), "--keys", keys.toString(),
                "--json", config);
        assertThat(verified.succeeded()).as(verified.stdout() + verified.stderr()).isTrue();
        final JsonNode ok = JSON.readTree(verified.stdout());
        assertThat(ok.get("ok").asBoolean()).isTrue();
        assertThat(ok.get("digests").asLong()).isEqualTo(2);
        assertThat(ok.get("events").asLong()).isEqualTo(3);

        Files.writeString(file, export.stdout().replaceFirst("\"status\":200", "\"status\":500"), StandardCharsets.UTF_8);
        final Result tampered = CommandRunner.run(clock, "verify-audit-trail", "--file", file.toString(), "--keys", keys.toString(),
                "--json", config);
        assertThat(tampered.succeeded()).isFalse();
        final JsonNode found = JSON.readTree(tampered.stdout());
        assertThat(found.get("ok").asBoolean()).isFalse();
        assertThat(found.get("findings").get(0).get("kind").asText()).isEqualTo("EVENT_CHANGED");
    }

    @Test
    void anExportWithoutSealsCannotBeVerifiedAndAFilterIsRefused() throws Exception {
        Databases.migrate(jdbi);
        new AuditStore(jdbi, List.of(new BatchSealer("direct:test", key, clock))).insertAll(List.of(event(clock.instant())));
        final Path file = dir.resolve("plain.ndjson");
        Files.writeString(file, CommandRunner.run(clock, "audit", "--format", "ndjson", config).stdout(), StandardCharsets.UTF_8);

        final Result plain = CommandRunner.run(clock, "verify-audit-trail", "--file", file.toString(), config);
        assertThat(plain.succeeded()).isFalse();
        assertThat(plain.stderr()).contains("carries no seals, so it cannot be verified");

        final Result filtered = CommandRunner.run(clock, "audit", "--format", "ndjson", "--with-seals", "--outcome", "success", config);
        assertThat(filtered.succeeded()).isFalse();
        assertThat(filtered.stderr()).contains("an export with its seals is of a whole range");
    }

    private static AuditEvent event(Instant at) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, at).key(7L, "k7", "abcd1234")
                .request("10.0.0.1", "ua", "GET", "/api/v1/whoami/").status(200).build();
    }
}
