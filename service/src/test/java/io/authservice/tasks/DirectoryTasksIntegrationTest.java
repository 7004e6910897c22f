package io.authservice.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceApplication;
import io.authservice.AuthServiceConfiguration;
import io.authservice.core.Employee;
import io.authservice.core.PasswordHasher;
import io.authservice.core.User;
import io.authservice.db.Databases;
import io.authservice.db.EmployeeDAO;
import io.authservice.db.UserDAO;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The create-user and create-employee admin tasks through the admin port of the running service (H2). */
@ExtendWith(DropwizardExtensionsSupport.class)
class DirectoryTasksIntegrationTest {
    private static final Path DIR = TestApps.tempDir();
    private static final TestDatabases.Db DB = TestDatabases.newH2(DIR);
    static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            AuthServiceApplication.class, TestApps.configPath(), TestApps.overrides(DB, DIR));
    private static final String PASSWORD = "hunter2-but-longer";
    private static final PasswordHasher HASHER = new PasswordHasher(new SecureRandom());

    private final Jdbi jdbi = Databases.configure(Jdbi.create(DB.url(), DB.user(), DB.password()));

    @Test
    void createUserTakesAJsonBodyAndStoresOnlyTheHash() throws IOException {
        final String body = """
                {"username":"alice","email":"alice@example.com","first_name":"Alice","last_name":"Archer",
                 "roles":["agent","admin"],"password":"%s"}""".formatted(PASSWORD);

        try (Response response = task("create-user", Map.of("format", "json")).post(Entity.json(body))) {
            final String text = response.readEntity(String.class);
            assertThat(response.getStatus()).as(text).isEqualTo(200);
            assertThat(text).doesNotContain(PASSWORD).doesNotContain("argon2").doesNotContain("password_hash");
            final JsonNode answer = APP.getObjectMapper().readTree(text);
            assertThat(answer.get("action").asText()).isEqualTo("created");
            assertThat(answer.get("has_password").asBoolean()).isTrue();
            assertThat(answer.get("user").get("username").asText()).isEqualTo("alice");
            assertThat(answer.get("user").get("roles")).extracting(JsonNode::asText).containsExactly("admin", "agent");
        }
        final User alice = user("alice").orElseThrow();
        assertThat(alice.email()).isEqualTo("alice@example.com");
        assertThat(alice.firstName()).isEqualTo("Alice");
        assertThat(alice.lastName()).isEqualTo("Archer");
        assertThat(HASHER.verify(PASSWORD, alice.passwordHash())).isTrue();
    }

    @Test
    void createUserWithoutAPasswordAnswersTextByDefault() {
        try (Response response = task("create-user", Map.of()).post(Entity.json("{\"username\":\"nopass\"}"))) {
            final String text = response.readEntity(String.class);
            assertThat(response.getStatus()).as(text).isEqualTo(200);
            assertThat(text).startsWith("Created user ").contains("'nopass'").contains("without a password");
        }
        assertThat(user("nopass").orElseThrow().passwordHash()).isNull();
    }

    @Test
    void aTakenUsernameIs409AndLeavesTheStoredUserAlone() {
        try (Response first = task("create-user", Map.of())
                .post(Entity.json("{\"username\":\"taken\",\"email\":\"first@example.com\"}"))) {
            assertThat(first.getStatus()).isEqualTo(200);
        }
        try (Response again = task("create-user", Map.of())
                .post(Entity.json("{\"username\":\"taken\",\"email\":\"second@example.com\",\"password\":\"" + PASSWORD + "\"}"))) {
            assertError(again, 409, "already taken");
        }
        final User stored = user("taken").orElseThrow();
        assertThat(stored.email()).isEqualTo("first@example.com");
        assertThat(stored.passwordHash()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"username\":\"bad1\",\"password\":\"" + PASSWORD + "\"",
            "{\"username\":\"bad1\",\"password\":\"" + PASSWORD + "\"} trailing",
            "not json " + PASSWORD,
            "[\"bad1\"]",
            "\"bad1\"",
            "",
            "{\"username\":\"bad1\",\"roles\":\"admin\"}",
            "{\"username\":\"bad1\",\"roles\":[[\"admin\"]]}",
            "{\"username\":\"bad1\",\"password\":[\"" + PASSWORD + "\"]}",
            "{\"username\":{\"x\":1}}",
            "{\"username\":\"bad1\",\"passwd\":\"" + PASSWORD + "\"}",
            "{\"username\":\"bad1\",\"password\":\"short\"}",
            "{\"username\":\"bad 1\"}",
            "{\"username\":\"bad1\",\"email\":\"nope\"}",
            "{\"username\":\"bad1\",\"roles\":[\"no spaces\"]}",
            "{\"email\":\"bad1@example.com\"}"})
    void badBodiesAre400AndStoreNothing(String body) {
        final int before = count("users");
        try (Response response = task("create-user", Map.of()).post(Entity.entity(body, MediaType.APPLICATION_JSON_TYPE))) {
            final String text = assertError(response, 400, "");
            assertThat(text).doesNotContain(PASSWORD);
        }
        assertThat(user("bad1")).isEmpty();
        assertThat(count("users")).isEqualTo(before);
    }

    @Test
    void createUserRefusesQueryParameters() {
        try (Response response = task("create-user", Map.of("password", PASSWORD))
                .post(Entity.json("{\"username\":\"query\"}"))) {
            assertError(response, 400, "unknown parameter 'password'");
        }
        assertThat(user("query")).isEmpty();
    }

    @Test
    void tasksNeedTheAdminToken() {
        try (Response response = APP.client().target(admin("create-user")).request()
                .post(Entity.json("{\"username\":\"tokenless\"}"))) {
            assertThat(response.getStatus()).isEqualTo(401);
        }
        assertThat(user("tokenless")).isEmpty();
    }

    @Test
    void createEmployeeTakesQueryParametersAndLinksAUser() throws IOException {
        try (Response created = task("create-user", Map.of()).post(Entity.json("{\"username\":\"emma\"}"))) {
            assertThat(created.getStatus()).isEqualTo(200);
        }
        final long emmaId = user("emma").orElseThrow().id();

        try (Response response = task("create-employee", Map.of("format", "json", "employee_number", "T-100",
                "first_name", "Emma", "last_name", "Evans", "email", "emma@corp.example", "department", "Ops",
                "job_title", "Lead", "username", "emma")).post(Entity.json(""))) {
            final String text = response.readEntity(String.class);
            assertThat(response.getStatus()).as(text).isEqualTo(200);
            final JsonNode employee = APP.getObjectMapper().readTree(text).get("employee");
            assertThat(employee.get("employee_number").asText()).isEqualTo("T-100");
            assertThat(employee.get("user_id").asLong()).isEqualTo(emmaId);
            assertThat(employee.get("department").asText()).isEqualTo("Ops");
            assertThat(employee.get("job_title").asText()).isEqualTo("Lead");
            assertThat(employee.get("is_active").asBoolean()).isTrue();
        }
        final Employee stored = employee("T-100").orElseThrow();
        assertThat(stored.userId()).isEqualTo(emmaId);
        assertThat(stored.email()).isEqualTo("emma@corp.example");
    }

    @Test
    void createEmployeeAnswers4xxForBadInput() {
        try (Response first = task("create-employee", Map.of("employee_number", "T-200", "first_name", "A",
                "last_name", "B", "email", "ab@corp.example")).post(Entity.json(""))) {
            assertThat(first.getStatus()).isEqualTo(200);
        }
        try (Response duplicate = task("create-employee", Map.of("employee_number", "T-200", "first_name", "C",
                "last_name", "D", "email", "cd@corp.example")).post(Entity.json(""))) {
            assertError(duplicate, 409, "employee number 'T-200' is already taken");
        }
        assertThat(employee("T-200").orElseThrow().firstName()).isEqualTo("A");
        final int before = count("employees");
        for (Map<String, String> bad : java.util.List.of(
                Map.of("employee_number", "T-201", "first_name", "A", "last_name", "B", "email", "ab@corp.example",
                        "user_id", "abc"),
                Map.of("employee_number", "T-201", "first_name", "A", "last_name", "B", "email", "ab@corp.example",
                        "user_id", "424242"),
                Map.of("employee_number", "T-201", "first_name", "A", "last_name", "B", "email", "ab@corp.example",
                        "is_active", "perhaps"),
                Map.of("employee_number", "T-201", "first_name", "A", "last_name", "B"),
                Map.of("employee_number", "T-201", "first_name", "A", "last_name", "B", "email", "ab@corp.example",
                        "salary", "1"))) {
            try (Response response = task("create-employee", bad).post(Entity.json(""))) {
                assertError(response, 400, "");
            }
        }
        assertThat(employee("T-201")).isEmpty();
        assertThat(count("employees")).isEqualTo(before);
    }

    // --- helpers

    private static String admin(String task) {
        return "http://127.0.0.1:" + APP.getAdminPort() + "/tasks/" + task;
    }

    @Test
    void setUserRolesReplacesTheRolesByUsernameOrIdAndRefusesBadInput() throws IOException {
        try (Response created = task("create-user", Map.of()).post(Entity.json("{\"username\":\"roley\",\"roles\":[\"agent\"]}"))) {
            assertThat(created.getStatus()).isEqualTo(200);
        }
        try (Response response = task("set-user-roles", Map.of("username", "roley", "roles", "security,admin", "format", "json"))
                .post(Entity.text(""))) {
            final String text = response.readEntity(String.class);
            assertThat(response.getStatus()).as(text).isEqualTo(200);
            final JsonNode answer = APP.getObjectMapper().readTree(text);
            assertThat(answer.get("action").asText()).isEqualTo("roles_set");
            assertThat(answer.get("user").get("roles")).extracting(JsonNode::asText).containsExactly("admin", "security");
        }
        assertThat(user("roley").orElseThrow().roles()).containsExactly("admin", "security");
        final long id = user("roley").orElseThrow().id();
        try (Response response = task("set-user-roles", Map.of("id", Long.toString(id), "roles", "")).post(Entity.text(""))) {
            assertThat(response.readEntity(String.class)).contains("now has no roles");
        }
        assertThat(user("roley").orElseThrow().roles()).isEmpty();

        try (Response unknown = task("set-user-roles", Map.of("username", "ghost", "roles", "admin")).post(Entity.text(""))) {
            assertError(unknown, 404, "no user");
        }
        try (Response bad = task("set-user-roles", Map.of("username", "roley", "roles", "ad min")).post(Entity.text(""))) {
            assertError(bad, 400, "not a role name");
        }
        try (Response both = task("set-user-roles", Map.of("username", "roley", "id", "1", "roles", "admin")).post(Entity.text(""))) {
            assertError(both, 400, "either 'id' or 'username'");
        }
        try (Response missing = task("set-user-roles", Map.of("username", "roley")).post(Entity.text(""))) {
            assertError(missing, 400, "'roles' is required");
        }
        assertThat(user("roley").orElseThrow().roles()).isEmpty();
    }

    private static jakarta.ws.rs.client.Invocation.Builder task(String name, Map<String, String> params) {
        WebTarget target = APP.client().target(admin(name));
        for (Map.Entry<String, String> param : params.entrySet()) {
            target = target.queryParam(param.getKey(), param.getValue());
        }
        return target.request().header(AdminTokenFilter.HEADER, TestApps.ADMIN_TOKEN);
    }

    /** Asserts a JSON error {"code":status,"message":...containing...}; answers the raw text. */
    private static String assertError(Response response, int status, String containing) {
        final String text = response.readEntity(String.class);
        assertThat(response.getStatus()).as(text).isEqualTo(status);
        try {
            final JsonNode body = APP.getObjectMapper().readTree(text);
            assertThat(body.get("code").asInt()).as(text).isEqualTo(status);
            assertThat(body.get("message").asText()).as(text).isNotBlank().contains(containing);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
        return text;
    }

    private Optional<User> user(String username) {
        return jdbi.withExtension(UserDAO.class, dao -> dao.findByUsername(username));
    }

    private Optional<Employee> employee(String number) {
        return jdbi.withExtension(EmployeeDAO.class, dao -> dao.findByEmployeeNumber(number));
    }

    private int count(String table) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Integer.class).one());
    }

}
