package io.authservice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.AuthServiceApplication;
import io.authservice.AuthServiceConfiguration;
import io.authservice.core.Employee;
import io.authservice.core.ObjectMappers;
import io.authservice.core.PasswordHasher;
import io.authservice.core.User;
import io.authservice.db.Databases;
import io.authservice.db.EmployeeDAO;
import io.authservice.db.UserDAO;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.JarLocation;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The user and employee commands through Dropwizard's {@link Cli}, against a fresh H2 database each. */
class DirectoryCommandsTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final PasswordHasher HASHER = new PasswordHasher(new java.security.SecureRandom());

    @TempDir
    Path dir;
    private Path config;
    private Jdbi jdbi;
    /** The commands' clock: it stands still, so what they stamp is known. */
    private final TestClock clock = new TestClock();
    private final ObjectMapper json = ObjectMappers.configure(new ObjectMapper().findAndRegisterModules());

    record Result(Optional<Throwable> failure, String out, String err) {
        boolean ok() {
            return failure.isEmpty();
        }
    }

    @BeforeEach
    void config() throws IOException {
        final TestDatabases.Db db = TestDatabases.newH2(dir);
        final String yaml = Files.readString(Path.of(TestApps.configPath()), StandardCharsets.UTF_8)
                .replace("url: jdbc:h2:mem:unset", "url: \"" + db.url() + "\"");
        assertThat(yaml).contains(db.url());
        config = Files.writeString(dir.resolve("config.yml"), yaml, StandardCharsets.UTF_8);
        jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
    }

    // --- create-user

    @Test
    void setUserRolesGivesAndTakesRoles() {
        assertThat(run("", Map.of(), "create-user", "--username", "sec", "--email", "sec@example.com", "--first-name",
                "S", "--last-name", "Ec").ok()).isTrue();
        final Result set = run("", Map.of(), "set-user-roles", "--username", "sec", "--roles", "security,admin", "--json");
        assertThat(set.ok()).as(set.err()).isTrue();
        assertThat(set.out()).contains("\"roles_set\"").contains("[\"admin\",\"security\"]");
        assertThat(user("sec").orElseThrow().roles()).containsExactly("admin", "security");

        final Result unknown = run("", Map.of(), "set-user-roles", "--username", "nobody", "--roles", "admin");
        assertThat(unknown.ok()).isFalse();
        assertThat(unknown.err()).contains("no user with username 'nobody'");
        final Result cleared = run("", Map.of(), "set-user-roles", "--id", Long.toString(user("sec").orElseThrow().id()),
                "--roles", "");
        assertThat(cleared.ok()).as(cleared.err()).isTrue();
        assertThat(user("sec").orElseThrow().roles()).isEmpty();
    }

    @Test
    void createUserReadsThePasswordFromStdinAndStoresOnlyItsHash() {
        final Result result = run(PASSWORD + "\n", Map.of(PASSWORD_ENV, "from-the-environment"),
                "create-user", "--username", "alice", "--email", "alice@example.com", "--first-name", "Alice",
                "--last-name", "Archer", "--roles", "agent,admin", "--password-stdin");

        assertThat(result.ok()).as(result.err()).isTrue();
        assertThat(result.out()).startsWith("Created user ").contains("'alice'").contains("admin,agent")
                .contains("with a password").doesNotContain(PASSWORD).doesNotContain("argon2");
        final User alice = user("alice").orElseThrow();
        assertThat(alice.email()).isEqualTo("alice@example.com");
        assertThat(alice.firstName()).isEqualTo("Alice");
        assertThat(alice.lastName()).isEqualTo("Archer");
        assertThat(alice.roles()).containsExactly("admin", "agent");
        assertThat(alice.active()).isTrue();
        assertThat(alice.passwordHash()).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(HASHER.verify(PASSWORD, alice.passwordHash())).isTrue();
        assertThat(HASHER.verify("from-the-environment", alice.passwordHash())).isFalse();
    }

    @Test
    void createUserTakesThePasswordFromTheEnvironmentWithoutStdinFlag() {
        final Result result = run("ignored stdin\n", Map.of(PASSWORD_ENV, PASSWORD),
                "create-user", "--username", "bob", "--email", "bob@example.com", "--first-name", "Bob",
                "--last-name", "Baker");

        assertThat(result.ok()).as(result.err()).isTrue();
        assertThat(result.out()).doesNotContain(PASSWORD);
        assertThat(HASHER.verify(PASSWORD, user("bob").orElseThrow().passwordHash())).isTrue();
    }

    @Test
    void createUserWithoutAnyPasswordMakesAUserWhoCannotSignIn() {
        final Result result = run("", Map.of(),
                "create-user", "--username", "carol", "--email", "carol@example.com", "--first-name", "Carol",
                "--last-name", "Cole");

        assertThat(result.ok()).as(result.err()).isTrue();
        assertThat(result.out()).contains("without a password");
        assertThat(user("carol").orElseThrow().passwordHash()).isNull();
    }

    @Test
    void createUserWithJsonPrintsExactlyOneObjectWithoutThePasswordOrHash() throws IOException {
        final Result result = run(PASSWORD + "\r\n", Map.of(),
                "create-user", "--username", "dave", "--email", "dave@example.com", "--first-name", "Dave",
                "--last-name", "Diaz", "--password-stdin", "--json");

        assertThat(result.ok()).as(result.err()).isTrue();
        final List<JsonNode> values = jsonValues(result.out());
        assertThat(values).hasSize(1);
        final JsonNode answer = values.get(0);
        assertThat(answer.isObject()).isTrue();
        assertThat(answer.get("action").asText()).isEqualTo("created");
        assertThat(answer.get("has_password").asBoolean()).isTrue();
        assertThat(answer.get("user").get("username").asText()).isEqualTo("dave");
        assertThat(answer.get("user").get("id").asLong()).isEqualTo(user("dave").orElseThrow().id());
        assertThat(result.out()).doesNotContain(PASSWORD).doesNotContain("argon2").doesNotContain("password_hash");
        // the trailing CRLF is not part of the password
        assertThat(HASHER.verify(PASSWORD, user("dave").orElseThrow().passwordHash())).isTrue();
    }

    @Test
    void createUserRefusesATakenUsername() throws IOException {
        assertThat(run("", Map.of(), "create-user", "--username", "erin", "--email", "e@example.com",
                "--first-name", "Erin", "--last-name", "Evans").ok()).isTrue();

        final Result again = run("", Map.of(), "create-user", "--username", "erin", "--email", "other@example.com",
                "--first-name", "Other", "--last-name", "Person", "--json");

        assertThat(again.ok()).isFalse();
        assertThat(again.err()).contains("error: username 'erin' is already taken");
        final JsonNode error = jsonValues(again.out()).get(0);
        assertThat(error.get("code").asInt()).isEqualTo(409);
        assertThat(user("erin").orElseThrow().email()).isEqualTo("e@example.com");
    }

    @Test
    void createUserRefusesBadInputAndStoresNothing() {
        final Result badName = run("", Map.of(), "create-user", "--username", "has space", "--email", "x@example.com",
                "--first-name", "X", "--last-name", "Y");
        assertThat(badName.ok()).isFalse();
        assertThat(badName.err()).contains("'username'");

        final Result badEmail = run("", Map.of(), "create-user", "--username", "x", "--email", "not-an-email",
                "--first-name", "X", "--last-name", "Y");
        assertThat(badEmail.ok()).isFalse();
        assertThat(badEmail.err()).contains("'email'");

        final Result badRole = run("", Map.of(), "create-user", "--username", "x", "--email", "x@example.com",
                "--first-name", "X", "--last-name", "Y", "--roles", "admin,bad role");
        assertThat(badRole.ok()).isFalse();
        assertThat(badRole.err()).contains("'roles'");

        final Result shortPassword = run("short\n", Map.of(), "create-user", "--username", "x", "--email",
                "x@example.com", "--first-name", "X", "--last-name", "Y", "--password-stdin");
        assertThat(shortPassword.ok()).isFalse();
        assertThat(shortPassword.err()).contains("'password' must be at least 8 characters").doesNotContain("short\n");

        final Result emptyStdin = run("", Map.of(), "create-user", "--username", "x", "--email", "x@example.com",
                "--first-name", "X", "--last-name", "Y", "--password-stdin");
        assertThat(emptyStdin.ok()).isFalse();
        assertThat(emptyStdin.err()).contains("no password on stdin");

        final Result emptyEnv = run("", Map.of(PASSWORD_ENV, ""), "create-user", "--username", "x", "--email",
                "x@example.com", "--first-name", "X", "--last-name", "Y");
        assertThat(emptyEnv.ok()).isFalse();

        assertThat(user("x")).isEmpty();
    }

    @Test
    void createUserHasNoPasswordArgument() {
        final Result result = run("", Map.of(), "create-user", "--username", "x", "--email", "x@example.com",
                "--first-name", "X", "--last-name", "Y", "--password", PASSWORD);

        assertThat(result.ok()).isFalse();
        assertThat(result.err()).contains("unrecognized arguments").doesNotContain(PASSWORD);
    }

    // --- create-employee

    @Test
    void createEmployeeLinksAUserByUsernameOrId() throws IOException {
        assertThat(run("", Map.of(), "create-user", "--username", "alice", "--email", "a@example.com",
                "--first-name", "Alice", "--last-name", "Archer").ok()).isTrue();
        assertThat(run("", Map.of(), "create-user", "--username", "bob", "--email", "b@example.com",
                "--first-name", "Bob", "--last-name", "Baker").ok()).isTrue();
        final long bobId = user("bob").orElseThrow().id();

        final Result byName = run("", Map.of(), "create-employee", "--employee-number", "E-001", "--first-name", "Alice",
                "--last-name", "Archer", "--email", "alice@corp.example", "--department", "IT", "--job-title", "Engineer",
                "--username", "alice", "--json");
        final Result byId = run("", Map.of(), "create-employee", "--employee-number", "E-002", "--first-name", "Bob",
                "--last-name", "Baker", "--email", "bob@corp.example", "--department", "HR", "--job-title", "Recruiter",
                "--user-id", Long.toString(bobId));

        assertThat(byName.ok()).as(byName.err()).isTrue();
        assertThat(byId.ok()).as(byId.err()).isTrue();
        final JsonNode answer = jsonValues(byName.out()).get(0);
        assertThat(answer.get("employee").get("employee_number").asText()).isEqualTo("E-001");
        assertThat(answer.get("employee").get("user_id").asLong()).isEqualTo(user("alice").orElseThrow().id());
        final Employee e1 = employee("E-001").orElseThrow();
        assertThat(e1.userId()).isEqualTo(user("alice").orElseThrow().id());
        assertThat(e1.department()).isEqualTo("IT");
        assertThat(e1.jobTitle()).isEqualTo("Engineer");
        assertThat(e1.email()).isEqualTo("alice@corp.example");
        assertThat(employee("E-002").orElseThrow().userId()).isEqualTo(bobId);
        assertThat(byId.out()).contains("linked to user " + bobId);
    }

    @Test
    void createEmployeeRefusesConflictsAndUnknownUsers() {
        assertThat(run("", Map.of(), "create-user", "--username", "alice", "--email", "a@example.com",
                "--first-name", "Alice", "--last-name", "Archer").ok()).isTrue();
        assertThat(createEmployee("E-001", "--username", "alice").ok()).isTrue();

        final Result sameNumber = createEmployee("E-001");
        assertThat(sameNumber.ok()).isFalse();
        assertThat(sameNumber.err()).contains("employee number 'E-001' is already taken");

        final Result sameUser = createEmployee("E-002", "--username", "alice");
        assertThat(sameUser.ok()).isFalse();
        assertThat(sameUser.err()).contains("already linked to employee E-001");

        final Result unknownUser = createEmployee("E-003", "--user-id", "424242");
        assertThat(unknownUser.ok()).isFalse();
        assertThat(unknownUser.err()).contains("no user with id 424242");

        final Result badId = createEmployee("E-004", "--user-id", "abc");
        assertThat(badId.ok()).isFalse();
        assertThat(badId.err()).contains("'user-id' must be a positive integer");

        final Result both = createEmployee("E-005", "--user-id", "1", "--username", "alice");
        assertThat(both.ok()).isFalse();

        assertThat(employee("E-002")).isEmpty();
        assertThat(employee("E-003")).isEmpty();
        assertThat(employee("E-004")).isEmpty();
        assertThat(employee("E-005")).isEmpty();
    }

    // --- import-users, import-employees

    @Test
    void importsDjangoUsersAndSkipsThemOnARerun() throws IOException {
        final Path csv = Files.writeString(dir.resolve("users.csv"), """
                id,username,email,first_name,last_name,is_active,date_joined,roles,password
                1,alice,alice@example.com,Alice,Archer,True,2024-01-15 10:30:00.123456+00:00,admin;agent,pbkdf2_sha256$1$x$y
                2,bob,bob@example.com,Bob,Baker,f,2024-02-01T08:00:00Z,,
                3,carol,carol@example.com,Carol,Cole,1,2024-03-01 09:00:00,viewer,
                4,dave,dave@example.com,Dave,Diaz,0,,,
                """);

        final Result first = run("", Map.of(), "import-users", "--csv", csv.toString(), "--json");

        assertThat(first.ok()).as(first.err()).isTrue();
        final JsonNode report = jsonValues(first.out()).get(0);
        assertThat(report.get("imported").asInt()).isEqualTo(4);
        assertThat(report.get("skipped").asInt()).isZero();
        assertThat(report.get("users")).extracting(u -> u.get("username").asText())
                .containsExactly("alice", "bob", "carol", "dave");
        assertThat(first.out()).doesNotContain("pbkdf2");
        final User alice = user("alice").orElseThrow();
        assertThat(alice.dateJoined()).isEqualTo(Instant.parse("2024-01-15T10:30:00.123456Z"));
        assertThat(alice.roles()).containsExactly("admin", "agent");
        assertThat(alice.active()).isTrue();
        assertThat(alice.passwordHash()).isNull();
        assertThat(user("bob").orElseThrow().active()).isFalse();
        assertThat(user("bob").orElseThrow().dateJoined()).isEqualTo(Instant.parse("2024-02-01T08:00:00Z"));
        assertThat(user("carol").orElseThrow().active()).isTrue();
        assertThat(user("carol").orElseThrow().dateJoined()).isEqualTo(Instant.parse("2024-03-01T09:00:00Z"));
        assertThat(user("dave").orElseThrow().active()).isFalse();
        assertThat(user("dave").orElseThrow().dateJoined()).isNotNull();

        Files.writeString(csv, "5,eve,eve@example.com,Eve,Evans,t,2024-04-01 00:00:00+02:00,,\n",
                java.nio.file.StandardOpenOption.APPEND);
        final Result rerun = run("", Map.of(), "import-users", "--csv", csv.toString());

        assertThat(rerun.ok()).as(rerun.err()).isTrue();
        assertThat(rerun.out()).isEqualTo("Imported 1 user(s) (without passwords); skipped 4 already present.\n");
        assertThat(user("eve").orElseThrow().dateJoined()).isEqualTo(Instant.parse("2024-03-31T22:00:00Z"));
        assertThat(userCount()).isEqualTo(5);
    }

    @Test
    void aBadUserRowInTheMiddleImportsNothing() throws IOException {
        final Path csv = Files.writeString(dir.resolve("users.csv"), """
                username,email,first_name,last_name,is_active,date_joined
                alice,alice@example.com,Alice,Archer,True,2024-01-15 10:30:00
                bob,not-an-email,Bob,Baker,True,2024-01-15 10:30:00
                carol,carol@example.com,Carol,Cole,True,2024-01-15 10:30:00
                """);

        final Result result = run("", Map.of(), "import-users", "--csv", csv.toString());

        assertThat(result.ok()).isFalse();
        assertThat(result.err()).contains("line 3: 'email'");
        assertThat(userCount()).isZero();

        Files.writeString(csv, """
                username,email,first_name,last_name,is_active
                alice,alice@example.com,Alice,Archer,True
                alice,alice2@example.com,Alice,Again,True
                """);
        final Result duplicate = run("", Map.of(), "import-users", "--csv", csv.toString());
        assertThat(duplicate.ok()).isFalse();
        assertThat(duplicate.err()).contains("line 3: username 'alice' appears twice");
        assertThat(userCount()).isZero();

        final Result missing = run("", Map.of(), "import-users", "--csv", dir.resolve("nope.csv").toString());
        assertThat(missing.ok()).isFalse();
        assertThat(missing.err()).contains("no such file");
    }

    @Test
    void importsEmployeesLinkedByUsernameOrIdAndSkipsThemOnARerun() throws IOException {
        assertThat(run("", Map.of(), "import-users", "--csv", Files.writeString(dir.resolve("users.csv"), """
                username,email,first_name,last_name
                alice,alice@example.com,Alice,Archer
                bob,bob@example.com,Bob,Baker
                """).toString()).ok()).isTrue();
        final long bobId = user("bob").orElseThrow().id();
        final Path csv = Files.writeString(dir.resolve("employees.csv"), """
                employee_number,first_name,last_name,email,department,job_title,is_active,user_id,username
                E-001,Alice,Archer,alice@corp.example,IT,Engineer,t,,alice
                E-002,Bob,Baker,bob@corp.example,HR,Recruiter,False,%d,
                E-003,Carol,Cole,carol@corp.example,,,1,,
                """.formatted(bobId));

        final Result first = run("", Map.of(), "import-employees", "--csv", csv.toString(), "--json");

        assertThat(first.ok()).as(first.err()).isTrue();
        final JsonNode report = jsonValues(first.out()).get(0);
        assertThat(report.get("imported").asInt()).isEqualTo(3);
        assertThat(report.get("skipped").asInt()).isZero();
        assertThat(employee("E-001").orElseThrow().userId()).isEqualTo(user("alice").orElseThrow().id());
        assertThat(employee("E-002").orElseThrow().userId()).isEqualTo(bobId);
        assertThat(employee("E-002").orElseThrow().active()).isFalse();
        assertThat(employee("E-003").orElseThrow().userId()).isNull();
        assertThat(employee("E-003").orElseThrow().active()).isTrue();

        final Result rerun = run("", Map.of(), "import-employees", "--csv", csv.toString());
        assertThat(rerun.ok()).as(rerun.err()).isTrue();
        assertThat(rerun.out()).isEqualTo("Imported 0 employee(s); skipped 3 already present.\n");
    }

    @Test
    void aBadEmployeeRowInTheMiddleImportsNothing() throws IOException {
        final Path csv = Files.writeString(dir.resolve("employees.csv"), """
                employee_number,first_name,last_name,email,department,job_title,is_active,username
                E-001,Alice,Archer,alice@corp.example,IT,Engineer,t,
                E-002,Bob,Baker,bob@corp.example,HR,Recruiter,t,nobody
                E-003,Carol,Cole,carol@corp.example,,,t,
                """);

        final Result unknownUser = run("", Map.of(), "import-employees", "--csv", csv.toString());

        assertThat(unknownUser.ok()).isFalse();
        assertThat(unknownUser.err()).contains("line 3: 'username': no user 'nobody'");
        assertThat(employeeCount()).isZero();

        Files.writeString(csv, """
                employee_number,first_name,last_name,email,is_active
                E-001,Alice,Archer,alice@corp.example,t
                E-002,,Baker,bob@corp.example,t
                E-003,Carol,Cole,carol@corp.example,t
                """);
        final Result missingName = run("", Map.of(), "import-employees", "--csv", csv.toString());
        assertThat(missingName.ok()).isFalse();
        assertThat(missingName.err()).contains("line 3: 'first_name' is required");
        assertThat(employeeCount()).isZero();
    }

    // --- helpers

    private static final String PASSWORD_ENV = DirectoryCommands.PASSWORD_VARIABLE;

    private Result createEmployee(String number, String... link) {
        final List<String> args = new ArrayList<>(List.of("create-employee", "--employee-number", number,
                "--first-name", "F", "--last-name", "L", "--email", "e@corp.example", "--department", "D",
                "--job-title", "J"));
        args.addAll(List.of(link));
        return run("", Map.of(), args.toArray(new String[0]));
    }

    private Result run(String stdin, Map<String, String> env, String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream cliOut = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final Bootstrap<AuthServiceConfiguration> bootstrap = new Bootstrap<>(new AuthServiceApplication());
        ObjectMappers.configure(bootstrap.getObjectMapper());
        DirectoryCommands.all(new CommandSetup(new PrintStream(out, true, StandardCharsets.UTF_8), clock),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env::get)
                .forEach(bootstrap::addCommand);
        final Cli cli = new Cli(new JarLocation(AuthServiceApplication.class), bootstrap, cliOut, err);
        final List<String> all = new ArrayList<>(List.of(args));
        all.add(config.toString());
        final Optional<Throwable> failure = cli.run(all.toArray(new String[0]));
        return new Result(failure, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8) + cliOut.toString(StandardCharsets.UTF_8));
    }

    private List<JsonNode> jsonValues(String text) throws IOException {
        try (MappingIterator<JsonNode> it = json.readerFor(JsonNode.class).readValues(text)) {
            return it.readAll();
        }
    }

    private Optional<User> user(String username) {
        return jdbi.withExtension(UserDAO.class, dao -> dao.findByUsername(username));
    }

    private Optional<Employee> employee(String number) {
        return jdbi.withExtension(EmployeeDAO.class, dao -> dao.findByEmployeeNumber(number));
    }

    private int userCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM users").mapTo(Integer.class).one());
    }

    private int employeeCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM employees").mapTo(Integer.class).one());
    }
}
