package io.authservice.resources;

import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.core.Actor;
import io.authservice.core.ApiKeySecrets;
import io.authservice.core.ApiKeyService;
import io.authservice.core.Employee;
import io.authservice.core.EmployeeService;
import io.authservice.core.NewEmployee;
import io.authservice.core.NewUser;
import io.authservice.core.PasswordHasher;
import io.authservice.core.Scopes;
import io.authservice.core.User;
import io.authservice.core.UserService;
import io.authservice.db.Databases;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The internal directory endpoints against the whole running service and a real database; one
 * subclass per database. Data and keys are made through the real lifecycle services. What needs no
 * database (bad ids, the scope rules' answers) is {@link DirectoryResourcesTest}'s.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DirectoryEndpointsIntegrationTest {
    private static final Instant JOINED = Instant.parse("2024-01-15T10:30:00.123456Z");
    private static final Actor ACTOR = new Actor("test", Actor.COMMAND);

    private String fullKey;
    private String usersOnlyKey;
    private String auditOnlyKey;
    private User alice;
    private User bob;
    private Employee aliceEmployee;
    private Employee unlinkedEmployee;

    protected abstract DropwizardAppExtension<AuthServiceConfiguration> app();

    protected abstract TestDatabases.Db db();

    @BeforeAll
    void createData() {
        final Jdbi jdbi = Databases.configure(Jdbi.create(db().url(), db().user(), db().password()));
        final Clock clock = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);
        final ApiKeyService keys = new ApiKeyService(jdbi, new ApiKeySecrets(new SecureRandom()), clock, event -> { },
                Scopes.INTERNAL_READ, "test");
        fullKey = keys.create("tts", Set.of(), null, ACTOR).key();
        usersOnlyKey = keys.create("users-only", Set.of(Scopes.USERS_READ), null, ACTOR).key();
        auditOnlyKey = keys.create("audit-only", Set.of(Scopes.AUDIT_READ), null, ACTOR).key();

        final UserService users = new UserService(jdbi, new PasswordHasher(new SecureRandom(),
                new PasswordHasher.Params(64, 1, 1)), clock, event -> { }, "test");
        alice = users.create(new NewUser(0, "alice", "alice@example.com", "Alice", "Archer",
                List.of("agent", "admin"), true, JOINED), "correct horse battery", ACTOR);
        bob = users.create(new NewUser(0, "bob", "", "Bob", "", List.of(), false, null), null, ACTOR);
        final EmployeeService employees = new EmployeeService(jdbi, clock, event -> { }, "test");
        aliceEmployee = employees.create(new NewEmployee(0, "E-001", "Alice", "Archer", "alice@corp.example",
                "IT", "Engineer", true, null, "alice"), ACTOR);
        unlinkedEmployee = employees.create(new NewEmployee(0, "E-002", "Carol", "Cole", "carol@corp.example",
                "", "", false, null, null), ACTOR);
    }

    // --- GET /api/v1/users/internal/{id}/

    @ParameterizedTest
    @ValueSource(strings = {"/", ""})
    void answersAUserFieldByFieldWithAndWithoutTheTrailingSlash(String slash) {
        try (Response response = get("/api/v1/users/internal/" + alice.id() + slash, fullKey)) {
            assertThat(response.getStatus()).isEqualTo(200);
            assertThat(response.getMediaType().isCompatible(MediaType.APPLICATION_JSON_TYPE)).isTrue();
            final JsonNode body = json(response);
            assertThat(fieldNames(body)).containsExactlyInAnyOrder(
                    "id", "username", "email", "first_name", "last_name", "is_active", "date_joined", "roles");
            assertThat(body.get("id").asLong()).isEqualTo(alice.id());
            assertThat(body.get("username").asText()).isEqualTo("alice");
            assertThat(body.get("email").asText()).isEqualTo("alice@example.com");
            assertThat(body.get("first_name").asText()).isEqualTo("Alice");
            assertThat(body.get("last_name").asText()).isEqualTo("Archer");
            assertThat(body.get("is_active").isBoolean()).isTrue();
            assertThat(body.get("is_active").asBoolean()).isTrue();
            assertThat(Instant.parse(body.get("date_joined").asText())).isEqualTo(JOINED);
            assertThat(body.get("roles").isArray()).isTrue();
            assertThat(body.get("roles")).extracting(JsonNode::asText).containsExactly("admin", "agent");
            assertThat(body.toString()).doesNotContain("argon2");
        }
    }

    @Test
    void answersAnInactiveUserWithBlankFields() {
        final JsonNode body = okJson(get("/api/v1/users/internal/" + bob.id() + "/", fullKey));

        assertThat(body.get("username").asText()).isEqualTo("bob");
        assertThat(body.get("email").asText()).isEmpty();
        assertThat(body.get("last_name").asText()).isEmpty();
        assertThat(body.get("is_active").asBoolean()).isFalse();
        assertThat(body.get("roles")).isEmpty();
    }

    @Test
    void answers404ForAnUnknownUser() {
        try (Response response = get("/api/v1/users/internal/999999/", fullKey)) {
            assertError(response, 404);
            assertThat(response.readEntity(String.class)).contains("no user with id 999999");
        }
    }

    @Test
    void answers401WithoutAKeyAnd403ForAKeyLackingTheScope() {
        try (Response response = app().client().target(url("/api/v1/users/internal/" + alice.id() + "/"))
                .request().get()) {
            assertError(response, 401);
            assertThat(response.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).isNotBlank();
        }
        try (Response response = get("/api/v1/users/internal/" + alice.id() + "/", auditOnlyKey)) {
            assertError(response, 403);
        }
        try (Response response = get("/api/v1/users/internal/" + alice.id() + "/", usersOnlyKey)) {
            assertThat(response.getStatus()).isEqualTo(200);
        }
    }

    // --- GET /api/v1/hdts/employees/internal/{id}/

    @ParameterizedTest
    @ValueSource(strings = {"/", ""})
    void answersAnEmployeeFieldByField(String slash) {
        final JsonNode body = okJson(get("/api/v1/hdts/employees/internal/" + aliceEmployee.id() + slash, fullKey));

        assertThat(fieldNames(body)).contains("id", "user_id", "employee_number", "first_name", "last_name", "email",
                "department", "job_title", "is_active");
        assertThat(body.get("id").asLong()).isEqualTo(aliceEmployee.id());
        assertThat(body.get("user_id").asLong()).isEqualTo(alice.id());
        assertThat(body.get("employee_number").asText()).isEqualTo("E-001");
        assertThat(body.get("first_name").asText()).isEqualTo("Alice");
        assertThat(body.get("last_name").asText()).isEqualTo("Archer");
        assertThat(body.get("email").asText()).isEqualTo("alice@corp.example");
        assertThat(body.get("department").asText()).isEqualTo("IT");
        assertThat(body.get("job_title").asText()).isEqualTo("Engineer");
        assertThat(body.get("is_active").asBoolean()).isTrue();
        assertThat(Instant.parse(body.get("created_at").asText())).isEqualTo(Instant.parse("2025-06-01T12:00:00Z"));
    }

    @Test
    void answersAnUnlinkedEmployeeWithANullUserId() {
        final JsonNode body = okJson(get("/api/v1/hdts/employees/internal/" + unlinkedEmployee.id(), fullKey));

        assertThat(body.has("user_id")).isTrue();
        assertThat(body.get("user_id").isNull()).isTrue();
        assertThat(body.get("is_active").asBoolean()).isFalse();
        assertThat(body.get("department").asText()).isEmpty();
    }

    @Test
    void employeesNeedTheirOwnScope() {
        try (Response response = get("/api/v1/hdts/employees/internal/" + aliceEmployee.id() + "/", usersOnlyKey)) {
            assertError(response, 403);
        }
        try (Response response = app().client().target(url("/api/v1/hdts/employees/internal/" + aliceEmployee.id() + "/"))
                .request().get()) {
            assertError(response, 401);
        }
        try (Response response = get("/api/v1/hdts/employees/internal/999999/", fullKey)) {
            assertError(response, 404);
        }
    }

    // --- /api/v1/tts/users-info/

    @ParameterizedTest
    @ValueSource(strings = {"/", ""})
    void batchLookupAnswersUsersInRequestOrderOnceEachAndTheIdsNotFound(String slash) {
        final String body = "{\"user_ids\":[" + bob.id() + ",999998," + alice.id() + "," + bob.id() + ",999998]}";
        final JsonNode answer = okJson(post("/api/v1/tts/users-info" + slash, fullKey, body));

        assertThat(answer.get("users")).extracting(u -> u.get("id").asLong()).containsExactly(bob.id(), alice.id());
        assertThat(answer.get("users").get(1).get("username").asText()).isEqualTo("alice");
        assertThat(answer.get("users").get(1).get("roles")).extracting(JsonNode::asText).containsExactly("admin", "agent");
        assertThat(answer.get("not_found")).extracting(JsonNode::asLong).containsExactly(999998L);
        assertThat(answer.toString()).doesNotContain("argon2").doesNotContain("password");
    }

    @Test
    void batchLookupByQueryString() {
        final JsonNode answer = okJson(get("/api/v1/tts/users-info/?ids=" + alice.id() + "," + bob.id() + ",424242",
                fullKey));

        assertThat(answer.get("users")).extracting(u -> u.get("username").asText()).containsExactly("alice", "bob");
        assertThat(answer.get("not_found")).extracting(JsonNode::asLong).containsExactly(424242L);
        assertThat(okJson(get("/api/v1/tts/users-info?ids=" + alice.id(), fullKey)).get("users")).hasSize(1);
    }

    @Test
    void batchLookupOfNothingAnswersEmptyLists() {
        final JsonNode posted = okJson(post("/api/v1/tts/users-info/", fullKey, "{\"user_ids\":[]}"));
        assertThat(posted.get("users").isArray()).isTrue();
        assertThat(posted.get("users")).isEmpty();
        assertThat(posted.get("not_found").isArray()).isTrue();
        assertThat(posted.get("not_found")).isEmpty();

        final JsonNode queried = okJson(get("/api/v1/tts/users-info/?ids=", fullKey));
        assertThat(queried.get("users")).isEmpty();
        assertThat(queried.get("not_found")).isEmpty();
    }

    @Test
    void batchLookupTakes500IdsButNot501() {
        final String ids500 = LongStream.rangeClosed(1, 500).mapToObj(Long::toString).collect(Collectors.joining(","));
        final JsonNode answer = okJson(post("/api/v1/tts/users-info/", fullKey, "{\"user_ids\":[" + ids500 + "]}"));
        assertThat(answer.get("users").size() + answer.get("not_found").size()).isEqualTo(500);

        try (Response response = post("/api/v1/tts/users-info/", fullKey, "{\"user_ids\":[" + ids500 + ",501]}")) {
            assertError(response, 400);
        }
        try (Response response = get("/api/v1/tts/users-info/?ids=" + ids500 + ",501", fullKey)) {
            assertError(response, 400);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"user_ids\":[1.5]}",
            "{\"user_ids\":[1.0]}",
            "{\"user_ids\":[\"7\"]}",
            "{\"user_ids\":[0]}",
            "{\"user_ids\":[-1]}",
            "{\"user_ids\":[null]}",
            "{\"user_ids\":[true]}",
            "{\"user_ids\":[99999999999999999999]}",
            "{\"user_ids\":5}",
            "{\"user_ids\":\"1,2\"}",
            "{\"user_ids\":{}}",
            "{\"user_ids\":null}",
            "{}",
            "[1,2]",
            "null",
            "{\"user_ids\":[1,2]",
            "not json"})
    void batchLookupAnswers400ForABadBody(String body) {
        try (Response response = post("/api/v1/tts/users-info/", fullKey, body)) {
            assertError(response, 400);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0", "-1", "1.5", "1,,2", "99999999999999999999"})
    void batchLookupAnswers400ForBadQueryIds(String ids) {
        try (Response response = get("/api/v1/tts/users-info/?ids=" + ids, fullKey)) {
            assertError(response, 400);
        }
        try (Response response = get("/api/v1/tts/users-info/", fullKey)) {
            assertError(response, 400);
        }
    }

    @Test
    void batchLookupNeedsItsScope() {
        try (Response response = post("/api/v1/tts/users-info/", usersOnlyKey, "{\"user_ids\":[1]}")) {
            assertError(response, 403);
        }
        try (Response response = get("/api/v1/tts/users-info/?ids=1", auditOnlyKey)) {
            assertError(response, 403);
        }
        try (Response response = app().client().target(url("/api/v1/tts/users-info/")).request()
                .post(Entity.json("{\"user_ids\":[1]}"))) {
            assertError(response, 401);
        }
    }

    // --- the Django-compatible wire form, pinned by fixtures (wire/http/*.json; "@name" stands for that row's id)

    @Test
    void aUserAnswersAsItsFixture() {
        assertMatchesFixture(okJson(get("/api/v1/users/internal/" + alice.id() + "/", fullKey)), "users-internal-alice.json");
    }

    @Test
    void anEmployeeAnswersAsItsFixture() {
        assertMatchesFixture(okJson(get("/api/v1/hdts/employees/internal/" + aliceEmployee.id() + "/", fullKey)),
                "hdts-employees-internal-alice.json");
    }

    @Test
    void aBatchLookupAnswersAsItsFixture() {
        final String body = "{\"user_ids\":[" + bob.id() + ",999998," + alice.id() + "]}";
        assertMatchesFixture(okJson(post("/api/v1/tts/users-info/", fullKey, body)), "tts-users-info.json");
    }

    /** Compares as JSON trees, so the order of fields does not matter but every name, type and value does. */
    private void assertMatchesFixture(JsonNode actual, String fixture) {
        try (java.io.InputStream in = getClass().getResourceAsStream("/wire/http/" + fixture)) {
            assertThat(in).as(fixture).isNotNull();
            final String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .replace("\"@aliceEmployee\"", Long.toString(aliceEmployee.id()))
                    .replace("\"@alice\"", Long.toString(alice.id()))
                    .replace("\"@bob\"", Long.toString(bob.id()));
            assertThat(actual).as("%s, answered %s", fixture, actual).isEqualTo(app().getObjectMapper().readTree(text));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    // --- helpers

    private String url(String path) {
        return "http://127.0.0.1:" + app().getLocalPort() + path;
    }

    private Invocation.Builder request(String path, String key) {
        return app().client().target(url(path)).request().header("X-API-Key", key);
    }

    private Response get(String path, String key) {
        return request(path, key).get();
    }

    private Response post(String path, String key, String body) {
        return request(path, key).post(Entity.entity(body, MediaType.APPLICATION_JSON_TYPE));
    }

    private JsonNode okJson(Response response) {
        try (response) {
            final String text = response.readEntity(String.class);
            assertThat(response.getStatus()).as(text).isEqualTo(200);
            return app().getObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private JsonNode json(Response response) {
        try {
            return app().getObjectMapper().readTree(response.readEntity(String.class));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A Dropwizard-shaped JSON error: {"code":status,"message":...}. */
    private void assertError(Response response, int status) {
        response.bufferEntity();
        final String text = response.readEntity(String.class);
        assertThat(response.getStatus()).as(text).isEqualTo(status);
        final JsonNode body = json(response);
        assertThat(body.get("code").asInt()).as(text).isEqualTo(status);
        assertThat(body.get("message").asText()).as(text).isNotBlank();
    }

    private static List<String> fieldNames(JsonNode node) {
        final List<String> names = new ArrayList<>();
        final Iterator<String> it = node.fieldNames();
        it.forEachRemaining(names::add);
        return names;
    }
}
