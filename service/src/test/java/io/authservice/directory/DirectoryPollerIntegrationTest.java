package io.authservice.directory;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.authservice.api.EmployeeView;
import io.authservice.api.UserView;
import io.authservice.config.DirectoryConfig;
import io.authservice.core.Actor;
import io.authservice.core.EmployeeService;
import io.authservice.core.NewEmployee;
import io.authservice.core.NewUser;
import io.authservice.core.PasswordHasher;
import io.authservice.core.User;
import io.authservice.core.UserRef;
import io.authservice.core.UserService;
import io.authservice.db.ChangeLogPoller;
import io.authservice.db.Databases;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
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
 * The directory cache and its change log poller against a real database, on H2 and PostgreSQL
 * alike: every write path of the services (create, set roles, import) is seen by the next poll, and
 * only then, including ids cached as unknown before they existed. Polls are called directly and
 * time is the test's clock.
 */
class DirectoryPollerIntegrationTest {
    private static final Actor ACTOR = new Actor("test", Actor.COMMAND);

    private final TestClock clock = new TestClock();
    private final ScheduledExecutorService unused = Executors.newSingleThreadScheduledExecutor();
    private final MetricRegistry metrics = new MetricRegistry();
    private UserService users;
    private EmployeeService employees;
    private Directory directory;
    private ChangeLogPoller<Directory.Subject> poller;

    private void open(String database) {
        final TestDatabases.Db db = database.equals("h2") ? TestDatabases.newH2(TestApps.tempDir()) : TestDatabases.newPostgres();
        final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        users = new UserService(jdbi, new PasswordHasher(new SecureRandom(), new PasswordHasher.Params(64, 1, 1)), clock,
                event -> { }, "test");
        employees = new EmployeeService(jdbi, clock, event -> { }, "test");
        directory = Directory.create(new DirectoryConfig(), users, employees, jdbi, Duration.ofSeconds(1), clock,
                Ticker.systemTicker(), Runnable::run, unused, metrics);
        poller = directory.poller().orElseThrow();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (poller != null) {
            poller.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void rolesSetThroughTheServiceAreAnsweredAfterTheNextPoll(String database) {
        open(database);
        final User alice = users.create(NewUser.of("alice", "alice@example.com", "Alice", "Archer", List.of("agent")), null, ACTOR);
        poller.poll();
        assertThat(user(alice.id()).roles()).containsExactly("agent");

        users.setRoles(new UserRef(alice.id(), null), List.of("agent", "security"), ACTOR);
        assertThat(user(alice.id()).roles()).as("not polled yet: from memory").containsExactly("agent");
        assertThat(directory.users().findAll(List.of(alice.id())).get(alice.id()).roles()).containsExactly("agent");

        poller.poll();
        assertThat(user(alice.id()).roles()).containsExactly("agent", "security");
        assertThat(directory.users().findAll(List.of(alice.id())).get(alice.id()).roles())
                .containsExactly("agent", "security");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void peopleImportedOrCreatedAfterTheirIdsWereCachedAsUnknownAreAnsweredAfterTheNextPoll(String database) {
        open(database);
        final User first = users.create(NewUser.of("first", "", "", "", List.of()), null, ACTOR);
        poller.poll();
        final List<Long> next = List.of(first.id() + 1, first.id() + 2);
        assertThat(directory.users().findAll(next)).isEmpty();
        assertThat(directory.users().find(first.id() + 1)).isEmpty();
        assertThat(directory.employees().find(1)).isEmpty();

        final List<User> imported = users.importUsers(List.of(
                new NewUser(2, "bob", "", "Bob", "", List.of(), false, null),
                new NewUser(3, "carol", "", "Carol", "", List.of(), true, null)), ACTOR).imported();
        assertThat(imported).extracting(User::id).containsExactlyElementsOf(next);
        final long employeeId = employees.importEmployees(List.of(new NewEmployee(2, "E-1", "Bob", "B",
                "bob@corp.example", "", "", true, null, "bob")), ACTOR).imported().get(0).id();
        assertThat(employeeId).isEqualTo(1);
        assertThat(directory.users().find(first.id() + 1)).as("not polled yet").isEmpty();

        poller.poll();
        assertThat(directory.users().findAll(next)).containsOnlyKeys(next);
        assertThat(directory.users().find(first.id() + 1)).map(UserView::active).contains(false);
        assertThat(directory.employees().find(employeeId)).map(EmployeeView::userId).contains(first.id() + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theMetricsShowSizeHitRateAndStaleness(String database) {
        open(database);
        final User alice = users.create(NewUser.of("alice", "", "", "", List.of()), null, ACTOR);
        assertThat(gauge("directory-cache.staleness-millis")).as("never polled").isEqualTo(-1L);
        poller.poll();

        directory.users().find(alice.id());
        directory.users().find(alice.id());
        directory.users().find(alice.id());
        directory.users().find(alice.id());
        clock.advance(Duration.ofSeconds(3));

        assertThat(gauge("directory-cache.users.size")).isEqualTo(1L);
        assertThat(gauge("directory-cache.users.hit-rate")).isEqualTo(0.75);
        assertThat(metrics.counter("directory-cache.users.hits").getCount()).isEqualTo(3);
        assertThat(gauge("directory-cache.employees.size")).isEqualTo(0L);
        assertThat(gauge("directory-cache.staleness-millis")).isEqualTo(3_000L);
        poller.poll();
        assertThat(gauge("directory-cache.staleness-millis")).isEqualTo(0L);
    }

    private UserView user(long id) {
        return directory.users().find(id).orElseThrow();
    }

    private Object gauge(String name) {
        final Gauge<?> gauge = metrics.getGauges().get(name);
        assertThat(gauge).as(name).isNotNull();
        return gauge.getValue();
    }
}
