package io.authservice.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.authservice.config.StoreCacheConfig;
import io.authservice.core.ApiKey;
import io.authservice.core.ApiKeySecrets;
import io.authservice.core.ApiKeyService;
import io.authservice.core.Actor;
import io.authservice.core.CreatedApiKey;
import io.authservice.core.Scopes;
import io.authservice.db.ApiKeyDAO;
import io.authservice.db.Databases;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The revocation poller against a real change log, on H2 and PostgreSQL alike: a change whose
 * transaction commits after later changes were read is still seen (its id was a gap), and a gap
 * left by a transaction that rolled back is given up after the gap lifetime. Polls are called
 * directly and time is the test's clock.
 */
class RevocationPollerIntegrationTest {
    private static final Duration GAP_LIFETIME = Duration.ofMinutes(10);

    private final TestClock clock = new TestClock();
    private final ScheduledExecutorService unused = Executors.newSingleThreadScheduledExecutor();
    private Jdbi jdbi;
    private ApiKeyService keys;
    private ApiKeyCache cache;
    private RevocationPoller poller;

    private void open(String database) {
        final TestDatabases.Db db = database.equals("h2") ? TestDatabases.newH2(TestApps.tempDir()) : TestDatabases.newPostgres();
        jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        keys = new ApiKeyService(jdbi, new ApiKeySecrets(new SecureRandom()), clock, event -> { },
                Scopes.INTERNAL_READ, "test");
        cache = new ApiKeyCache(hash -> jdbi.withExtension(ApiKeyDAO.class, dao -> dao.findByHash(hash)),
                new StoreCacheConfig(), Ticker.systemTicker(), Runnable::run, StatsCounter::disabledStatsCounter);
        poller = new RevocationPoller(jdbi, cache, Duration.ofSeconds(1), GAP_LIFETIME, clock, unused);
    }

    @AfterEach
    void stop() throws InterruptedException {
        poller.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aDeactivationCommittedAfterALaterChangeWasReadIsStillSeen(String database) {
        open(database);
        final CreatedApiKey created = create("late");
        poller.poll();
        assertThat(status(created)).isEqualTo(ApiKey.Status.ACTIVE);

        try (Handle revoking = jdbi.open()) {
            revoking.begin();
            final ApiKeyDAO dao = revoking.attach(ApiKeyDAO.class);
            assertThat(dao.deactivate(created.stored().id(), clock.instant())).isEqualTo(1);
            dao.recordChange(created.stored().hash());

            create("committed-meanwhile");
            poller.poll();
            assertThat(poller.openGaps()).as("the open transaction's change id").isEqualTo(1);
            assertThat(status(created)).as("still cached: nothing committed").isEqualTo(ApiKey.Status.ACTIVE);

            revoking.commit();
        }
        poller.poll();

        assertThat(poller.openGaps()).isZero();
        assertThat(status(created)).isEqualTo(ApiKey.Status.INACTIVE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theGapOfARolledBackChangeIsGivenUpAfterTheGapLifetime(String database) {
        open(database);
        poller.poll();
        try (Handle abandoned = jdbi.open()) {
            abandoned.begin();
            abandoned.attach(ApiKeyDAO.class).recordChange("0".repeat(64));
            create("committed-meanwhile");
            poller.poll();
            abandoned.rollback();
        }
        assertThat(poller.openGaps()).isEqualTo(1);

        clock.advance(GAP_LIFETIME.minusSeconds(1));
        poller.poll();
        assertThat(poller.openGaps()).as("still looked for").isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        poller.poll();
        assertThat(poller.openGaps()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theFirstPollDropsWhatWasCachedBeforeItAndTakesTheHighestIdFromThere(String database) {
        open(database);
        final CreatedApiKey created = create("before-the-first-poll");
        assertThat(status(created)).isEqualTo(ApiKey.Status.ACTIVE);
        keys.deactivate(new io.authservice.core.KeyRef(created.stored().id(), null), Actor.command());

        poller.poll();

        assertThat(status(created)).isEqualTo(ApiKey.Status.INACTIVE);
        final CreatedApiKey later = create("after-the-first-poll");
        assertThat(status(later)).isEqualTo(ApiKey.Status.ACTIVE);
        keys.deactivate(new io.authservice.core.KeyRef(later.stored().id(), null), Actor.command());
        poller.poll();
        assertThat(status(later)).isEqualTo(ApiKey.Status.INACTIVE);
        assertThat(poller.openGaps()).isZero();
    }

    private CreatedApiKey create(String name) {
        return keys.create(name + "-" + System.nanoTime(), List.of(), null, Actor.command());
    }

    private ApiKey.Status status(CreatedApiKey created) {
        return cache.find(created.stored().hash()).map(key -> key.statusAt(clock.instant())).orElseThrow();
    }
}
