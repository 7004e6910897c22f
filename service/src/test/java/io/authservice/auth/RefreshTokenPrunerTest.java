package io.authservice.auth;

import com.codahale.metrics.MetricRegistry;
import io.authservice.db.Databases;
import io.authservice.db.RefreshTokenDAO;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Spent sign-ins leave the refresh-token tables; live ones, however old, stay. On H2 and PostgreSQL. */
class RefreshTokenPrunerTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final Duration LIFETIME = Duration.ofDays(1);

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void familiesWhoseEveryTokenExpiredBeyondTheSkewAreRemovedWithTheirTokens(String database) {
        final TestDatabases.Db db = database.equals("h2") ? TestDatabases.newH2(TestApps.tempDir()) : TestDatabases.newPostgres();
        final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        final long user = jdbi.withHandle(h -> h.createUpdate("INSERT INTO users (username, email, first_name, last_name, "
                        + "roles, is_active, date_joined, updated_at) VALUES ('ann', 'ann@example.com', 'Ann', 'A', '', TRUE, :t, :t)")
                .bind("t", T0).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());

        // spent: signed in at T0, its one token expired at T0 + 1 day
        final String spent = signIn(jdbi, user, T0);
        // refreshed: signed in at T0 as well, but refreshed after a day, so a token of it lives on
        final String refreshed = signIn(jdbi, user, T0);
        issue(jdbi, refreshed, T0.plus(LIFETIME).minusSeconds(60));
        // young: signed in later
        final String young = signIn(jdbi, user, T0.plus(LIFETIME));

        final MetricRegistry metrics = new MetricRegistry();
        final Instant spentExpiry = T0.plus(LIFETIME);
        assertThat(prune(jdbi, spentExpiry.plus(SKEW), metrics)).as("expired, but within the accepted skew").isZero();

        assertThat(prune(jdbi, spentExpiry.plus(SKEW).plusSeconds(1), metrics)).isEqualTo(1);
        assertThat(families(jdbi)).containsExactlyInAnyOrder(refreshed, young);
        assertThat(tokensOf(jdbi, spent)).isZero();
        assertThat(tokensOf(jdbi, refreshed)).isEqualTo(2);

        assertThat(prune(jdbi, spentExpiry.plus(LIFETIME.multipliedBy(2)), metrics)).isEqualTo(2);
        assertThat(metrics.counter("auth.refresh-tokens.pruned").getCount()).isEqualTo(3);
        assertThat(families(jdbi)).isEmpty();
        final int tokens = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM refresh_tokens").mapTo(Integer.class).one());
        assertThat(tokens).isZero();
    }

    private static int prune(Jdbi jdbi, Instant now, MetricRegistry metrics) {
        return new RefreshTokenPruner(jdbi, Clock.fixed(now, ZoneOffset.UTC), SKEW, metrics).prune();
    }

    private static String signIn(Jdbi jdbi, long user, Instant at) {
        final String family = UUID.randomUUID().toString();
        jdbi.useExtension(RefreshTokenDAO.class, dao -> dao.insertFamily(family, user, at));
        issue(jdbi, family, at);
        return family;
    }

    private static void issue(Jdbi jdbi, String family, Instant at) {
        jdbi.useExtension(RefreshTokenDAO.class,
                dao -> dao.insertToken(UUID.randomUUID().toString(), family, at, at.plus(LIFETIME)));
    }

    private static List<String> families(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM refresh_token_families").mapTo(String.class).list());
    }

    private static int tokensOf(Jdbi jdbi, String family) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM refresh_tokens WHERE family_id = :f")
                .bind("f", family).mapTo(Integer.class).one());
    }
}
