package io.authservice.cli;

import io.authservice.audit.AuditEventTypes;
import io.authservice.core.Actor;
import io.authservice.db.Databases;
import io.authservice.testing.CommandRunner;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key change made by a jar command lands in the audit store whatever the sink: a command is
 * short-lived, so it writes its few events straight into the store the consumer also writes (each
 * event id once) rather than starting a Kafka producer. Only the {@code log} sink stores nothing.
 */
class CommandAuditSinkTest {

    @ParameterizedTest
    @CsvSource({"direct, 1", "kafka, 1", "log, 0"})
    void aCommandsLifecycleEventIsStoredUnlessTheSinkIsLog(String sink, int stored) {
        final Path dir = TestApps.tempDir();
        final TestDatabases.Db db = TestDatabases.newH2(dir);
        // no broker listens here: the command must not need one
        final String config = TestApps.writeConfig(db, dir,
                "audit: {sink: " + sink + ", kafka: {bootstrapServers: \"127.0.0.1:1\"}}");
        final String name = "cmd-" + UUID.randomUUID();

        final CommandRunner.Result result = CommandRunner.run("create-api-key", "--name", name, "--json", config);
        assertThat(result.succeeded()).as(result.stderr()).isTrue();

        final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        final int count = jdbi.withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM audit_events WHERE type = :type AND key_name = :name AND surface = :surface")
                .bind("type", AuditEventTypes.API_KEY_CREATED).bind("name", name).bind("surface", Actor.COMMAND).mapTo(Integer.class).one());
        assertThat(count).isEqualTo(stored);
    }
}
