package io.authservice.core;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.db.Databases;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** UserService and EmployeeService against both real databases: imports, re-runs, conflicts, audit. */
class DirectoryServicesIntegrationTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00.123456789Z");
    private static final Actor ACTOR = new Actor("tester", Actor.COMMAND);

    @TempDir
    Path dir;
    private final List<AuditEvent> events = new ArrayList<>();

    private Jdbi jdbi(String database) {
        final TestDatabases.Db db = database.equals("postgres") ? TestDatabases.newPostgres() : TestDatabases.newH2(dir);
        final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        return jdbi;
    }

    private UserService users(Jdbi jdbi) {
        return new UserService(jdbi, new PasswordHasher(new SecureRandom(), new PasswordHasher.Params(64, 1, 1)),
                Clock.fixed(NOW, ZoneOffset.UTC), events::add, "test");
    }

    private EmployeeService employees(Jdbi jdbi) {
        return new EmployeeService(jdbi, Clock.fixed(NOW, ZoneOffset.UTC), events::add, "test");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void importsMoreThanOneChunkOfUsersAndSkipsThemOnARerun(String database) {
        final UserService users = users(jdbi(database));
        final List<NewUser> rows = IntStream.rangeClosed(1, 1200).mapToObj(i -> new NewUser(i + 1, "user" + i,
                "user" + i + "@example.com", "First" + i, "Last" + i, List.of("r" + (i % 3)), i % 2 == 0, null)).toList();

        final Imported<User> first = users.importUsers(rows, ACTOR);
        final Imported<User> again = users.importUsers(rows, ACTOR);

        assertThat(first.imported()).hasSize(1200);
        assertThat(first.skipped()).isZero();
        assertThat(again.imported()).isEmpty();
        assertThat(again.skipped()).isEqualTo(1200);
        final User user7 = first.imported().get(6);
        assertThat(user7.username()).isEqualTo("user7");
        assertThat(user7.active()).isFalse();
        assertThat(user7.dateJoined()).isEqualTo(Instant.parse("2025-06-01T12:00:00.123456Z"));
        assertThat(user7.passwordHash()).isNull();
        assertThat(events).hasSize(1200).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo(AuditEventTypes.USER_IMPORTED);
            assertThat(e.actor()).isEqualTo("tester");
        });
        final List<Long> ids = new ArrayList<>(List.of(first.imported().get(1199).id(), 999_999L, user7.id()));
        assertThat(users.findAll(ids)).extracting(User::username).containsExactly("user1200", "user7");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void createsUsersWithHashedPasswordsAndRefusesATakenUsername(String database) {
        final UserService users = users(jdbi(database));

        final User alice = users.create(NewUser.of("alice", "a@example.com", "Alice", "Archer", List.of("b", "a", "b")),
                "a long enough password", ACTOR);

        assertThat(alice.roles()).containsExactly("a", "b");
        assertThat(new PasswordHasher(new SecureRandom()).verify("a long enough password", alice.passwordHash())).isTrue();
        assertThat(users.find(alice.id())).contains(alice);
        assertThat(alice.toString()).doesNotContain(alice.passwordHash());
        assertThatThrownBy(() -> users.create(NewUser.of("alice", "", "", "", List.of()), null, ACTOR))
                .isInstanceOf(RequestRefusedException.class)
                .satisfies(e -> assertThat(((RequestRefusedException) e).status()).isEqualTo(409));
        assertThat(events).extracting(AuditEvent::type).containsExactly(AuditEventTypes.USER_CREATED);
        assertThat(events.get(0).userId()).isEqualTo(alice.id());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void importsEmployeesAllOrNothing(String database) {
        final Jdbi jdbi = jdbi(database);
        final User alice = users(jdbi).create(NewUser.of("alice", "", "", "", List.of()), null, ACTOR);
        final EmployeeService employees = employees(jdbi);
        final NewEmployee linked = new NewEmployee(2, "E-1", "Alice", "Archer", "a@corp.example", "IT", "Dev", true,
                alice.id(), "alice");
        final NewEmployee plain = new NewEmployee(3, "E-2", "Bob", "Baker", "b@corp.example", "", "", true, null, null);
        final NewEmployee sameUser = new NewEmployee(4, "E-3", "Eve", "Evans", "e@corp.example", "", "", true,
                null, "alice");

        assertThatThrownBy(() -> employees.importEmployees(List.of(linked, plain, sameUser), ACTOR))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("line 4: user 'alice' is linked to two employees in the file");
        assertThat(employees.find(1)).isEmpty();
        assertThatThrownBy(() -> employees.importEmployees(List.of(new NewEmployee(2, "E-1", "A", "A", "a@corp.example",
                "", "", true, alice.id(), "bob")), ACTOR))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("is user 'alice', not 'username' 'bob'");

        final Imported<Employee> imported = employees.importEmployees(List.of(linked, plain), ACTOR);
        assertThat(imported.imported()).extracting(Employee::employeeNumber).containsExactly("E-1", "E-2");
        assertThat(imported.imported().get(0).userId()).isEqualTo(alice.id());
        assertThat(employees.importEmployees(List.of(linked, plain), ACTOR).skipped()).isEqualTo(2);
        assertThatThrownBy(() -> employees.create(new NewEmployee(0, "E-9", "X", "Y", "x@corp.example", "", "", true,
                alice.id(), null), ACTOR))
                .isInstanceOf(RequestRefusedException.class)
                .hasMessageContaining("already linked to employee E-1");
    }
}
