package io.authservice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.db.Databases;
import io.authservice.testing.CommandRunner;
import io.authservice.testing.CommandRunner.Result;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code purge-audit-events} on the jar, on the embedded default's H2 file, with the default retention (365 days). */
class PurgeAuditEventsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir = TestApps.tempDir();
    private final TestDatabases.Db db = TestDatabases.newH2(dir);
    private final String config = TestApps.writeConfig(db, dir);
    private final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
    /** The commands' clock: the events' ages are measured from where it stands. */
    private final TestClock clock = new TestClock();

    private AuditEvent store(Duration age) {
        final AuditEvent event = AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, clock.instant().minus(age)).build();
        new AuditStore(jdbi).insert(event);
        return event;
    }

    private boolean stored(AuditEvent event) {
        return jdbi.withExtension(AuditEventDAO.class, dao -> dao.find(event.id())).isPresent();
    }

    @Test
    void deletesWhatIsOlderThanTheRetentionOrTheGivenDays() throws Exception {
        Databases.migrate(jdbi);
        final AuditEvent ancient = store(Duration.ofDays(400));
        final AuditEvent old = store(Duration.ofDays(100));

        final Result dry = CommandRunner.run(clock, "purge-audit-events", "--dry-run", "--json", config);
        assertThat(dry.succeeded()).as(dry.stderr()).isTrue();
        final JsonNode counted = JSON.readTree(dry.stdout());
        assertThat(counted.get("older_than_days").asInt()).isEqualTo(365);
        assertThat(counted.get("dry_run").asBoolean()).isTrue();
        assertThat(counted.get("events").asLong()).isEqualTo(1);
        assertThat(stored(ancient)).isTrue();

        final Result byDefault = CommandRunner.run(clock, "purge-audit-events", config);
        assertThat(byDefault.stdout()).startsWith("Purged 1 audit events and 0 dead letters older than 365 days");
        assertThat(List.of(stored(ancient), stored(old))).containsExactly(false, true);

        final Result given = CommandRunner.run(clock, "purge-audit-events", "--older-than-days", "90", "--json", config);
        assertThat(JSON.readTree(given.stdout()).get("events").asLong()).isEqualTo(1);
        assertThat(stored(old)).isFalse();
    }

    @Test
    void badDaysFailWithTheReason() throws Exception {
        final Result human = CommandRunner.run(clock, "purge-audit-events", "--older-than-days", "0", config);
        assertThat(human.succeeded()).isFalse();
        assertThat(human.stderr()).contains("error: 'older_than_days': '0' is not a whole number of days from 1 to 36500");

        final Result json = CommandRunner.run(clock, "purge-audit-events", "--older-than-days", "many", "--json", config);
        assertThat(json.succeeded()).isFalse();
        final JsonNode error = JSON.readTree(json.stdout());
        assertThat(error.get("code").asInt()).isEqualTo(400);
        assertThat(error.get("message").asText()).isEqualTo("'older_than_days': 'many' is not a whole number of days from 1 to 36500");
    }
}
