package io.authservice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.core.PasswordHasher;
import io.authservice.core.User;
import io.authservice.db.Databases;
import io.authservice.db.UserDAO;
import io.authservice.testing.CommandRunner;
import io.authservice.testing.CommandRunner.Result;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code seed-demo} on the jar, on the embedded default's H2 file and on PostgreSQL: what it stores
 * (with per-minute counts equal to the events), and that it runs once.
 */
class SeedDemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir = TestApps.tempDir();
    private TestDatabases.Db db;
    private String config;
    private Jdbi jdbi;

    private long count(String where) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events WHERE " + where)
                .mapTo(Long.class).one());
    }

    @Test
    void fillsAnEmptyH2DatabaseOnceWithPeopleKeysAndAWeekOfTraffic() throws Exception {
        fillsAnEmptyDatabaseOnce(TestDatabases.newH2(dir));
    }

    @Test
    void fillsAnEmptyPostgresDatabaseOnceWithPeopleKeysAndAWeekOfTraffic() throws Exception {
        fillsAnEmptyDatabaseOnce(TestDatabases.newPostgres());
    }

    private void fillsAnEmptyDatabaseOnce(TestDatabases.Db database) throws Exception {
        db = database;
        config = TestApps.writeConfig(db, dir);
        jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        final TestClock clock = new TestClock();
        final Instant before = clock.instant();

        final Result seeded = CommandRunner.run(clock, SeedDemoCommand.NAME, "--json", config);
        assertThat(seeded.succeeded()).as(seeded.stderr()).isTrue();
        final JsonNode report = JSON.readTree(seeded.stdout());
        final long events = report.get("events").asLong();
        assertThat(events).isGreaterThan(2_500);

        // the people, with their roles, and the printed passwords are theirs
        final PasswordHasher hasher = new PasswordHasher(new SecureRandom());
        final User security = jdbi.withExtension(UserDAO.class, dao -> dao.findByUsername(SeedDemoCommand.SECURITY_USER)).orElseThrow();
        assertThat(security.roles()).containsExactly("security");
        assertThat(hasher.verify(report.get("passwords").get(SeedDemoCommand.SECURITY_USER).asText(), security.passwordHash())).isTrue();
        assertThat(jdbi.withExtension(UserDAO.class, dao -> dao.findByUsername(SeedDemoCommand.ADMIN_USER)).orElseThrow().roles())
                .containsExactly("admin");
        assertThat(jdbi.withExtension(UserDAO.class, dao -> dao.findByUsername(SeedDemoCommand.PLAIN_USER)).orElseThrow().roles())
                .isEmpty();

        // the keys: two active, the legacy one deactivated; no key is printed
        final List<String> active = jdbi.withHandle(h -> h.createQuery("SELECT name FROM api_keys WHERE is_active ORDER BY name")
                .mapTo(String.class).list());
        assertThat(active).containsExactly(SeedDemoCommand.HDTS_KEY, SeedDemoCommand.TTS_KEY);
        assertThat(seeded.stdout()).doesNotContain("\"key\"");

        // a week of traffic stored (plus the lifecycle events the services recorded themselves)
        assertThat(count("1 = 1")).isGreaterThanOrEqualTo(events);
        final Timestamp weekAgo = Timestamp.from(before.minus(Duration.ofDays(7)).minus(Duration.ofMinutes(1)));
        final long older = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events WHERE occurred_at < :t")
                .bind("t", weekAgo).mapTo(Long.class).one());
        assertThat(older).isZero();
        assertThat(count("type = '" + AuditEventTypes.API_KEY_USED + "'")).isGreaterThan(2_000);
        // the burst from one address
        assertThat(count("client_address = '" + SeedDemoCommand.ATTACKER_ADDRESS + "' AND outcome = 'failure'"))
                .isEqualTo(SeedDemoCommand.BURST_ATTEMPTS);
        // the deactivated key still tried, every half hour for the week
        assertThat(count("key_name = '" + SeedDemoCommand.LEGACY_KEY + "' AND reason = '" + AuditReasons.INACTIVE + "'"))
                .isBetween(330L, 336L);
        assertThat(count("type = '" + AuditEventTypes.LOGIN_SUCCEEDED + "'")).isBetween(6L, 7L);
        // the charts' per-minute counts hold every event it stored
        final long counted = jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(events), 0) FROM audit_minute_counts")
                .mapTo(Long.class).one());
        assertThat(counted).isEqualTo(count("1 = 1"));

        // a second run is refused in words and changes nothing
        final long stored = count("1 = 1");
        final Result again = CommandRunner.run(clock, SeedDemoCommand.NAME, "--json", config);
        assertThat(again.succeeded()).isFalse();
        final JsonNode error = JSON.readTree(again.stdout());
        assertThat(error.get("code").asInt()).isEqualTo(409);
        assertThat(error.get("message").asText()).contains("has already run on this database");
        assertThat(count("1 = 1")).isEqualTo(stored);
        final long keys = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_keys").mapTo(Long.class).one());
        assertThat(keys).isEqualTo(3);
    }
}
