package io.authservice.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.AuthServiceConfiguration;
import io.authservice.testing.AdminClient;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.authservice.testing.TestPeople;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two service instances share one PostgreSQL, each answering the directory endpoints from its own
 * cache; a third has the cache off ({@code directory.cached: false}). A change made through A (a
 * task) or by any writer that records it in {@code directory_changes} is answered by B within 2 s,
 * including ids B had cached as unknown, deactivations and deletions; the poll interval is 250 ms
 * so the bound holds with margin on a loaded machine. B's cache metrics and health check move.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class CrossInstanceDirectoryIntegrationTest {
    private static final Duration BOUND = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TestDatabases.Db DB = TestDatabases.newPostgres();

    private static final DropwizardAppExtension<AuthServiceConfiguration> A = instance("a");
    private static final DropwizardAppExtension<AuthServiceConfiguration> B = instance("b");
    private static final DropwizardAppExtension<AuthServiceConfiguration> UNCACHED = instance("uncached",
            "directory: {cached: false}");

    private static DropwizardAppExtension<AuthServiceConfiguration> instance(String id, String... extraYaml) {
        // a config file per instance, not ConfigOverrides: those are JVM-wide system properties
        return new DropwizardAppExtension<>(TestAuthServiceApplication.class,
                TestApps.writeInstanceConfig(DB, TestApps.tempDir(), id, "250ms", extraYaml));
    }

    private static String key;
    private final AdminClient adminA = new AdminClient(A.client(), A.getAdminPort());

    @BeforeAll
    static void createKey() {
        key = new AdminClient(A.client(), A.getAdminPort()).json("create-api-key", Map.of("name", "directory-reader"))
                .get("key").asText();
    }

    @Test
    void rolesChangedThroughOneInstanceAreAnsweredByTheOtherWithinTheBound() {
        final TestPeople.Person person = TestPeople.create(adminA, "agent");
        final String path = "/api/v1/users/internal/" + person.id() + "/";
        assertThat(get(B, path).path("roles").toString()).isEqualTo("[\"agent\"]");
        assertThat(get(B, "/api/v1/tts/users-info/?ids=" + person.id()).path("users").path(0).path("roles").toString())
                .isEqualTo("[\"agent\"]");

        adminA.json("set-user-roles", Map.of("id", Long.toString(person.id()), "roles", "agent,security"));

        await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() ->
                get(B, path).path("roles").toString().equals("[\"agent\",\"security\"]")
                        && get(B, "/api/v1/tts/users-info/?ids=" + person.id()).path("users").path(0).path("roles")
                        .toString().equals("[\"agent\",\"security\"]"));
    }

    @Test
    void aUserAndAnEmployeeCreatedAfterTheOtherInstanceCachedTheirIdsAsUnknownAreAnsweredThere() {
        final long lastUser = TestPeople.create(adminA, "agent").id();
        final long nextUser = lastUser + 1; // identity ids: the next one created in this (sequential) class
        assertThat(status(B, "/api/v1/users/internal/" + nextUser + "/")).isEqualTo(404);
        assertThat(get(B, "/api/v1/tts/users-info/?ids=" + nextUser).path("not_found").toString())
                .isEqualTo("[" + nextUser + "]");
        final long lastEmployee = createEmployee(null).get("id").asLong();
        final long nextEmployee = lastEmployee + 1;
        assertThat(status(B, "/api/v1/hdts/employees/internal/" + nextEmployee + "/")).isEqualTo(404);

        assertThat(TestPeople.create(adminA, "agent").id()).isEqualTo(nextUser);
        assertThat(createEmployee(nextUser).get("id").asLong()).isEqualTo(nextEmployee);

        await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() ->
                status(B, "/api/v1/users/internal/" + nextUser + "/") == 200
                        && get(B, "/api/v1/tts/users-info/?ids=" + nextUser).path("not_found").isEmpty()
                        && status(B, "/api/v1/hdts/employees/internal/" + nextEmployee + "/") == 200
                        && get(B, "/api/v1/hdts/employees/internal/" + nextEmployee + "/").path("user_id").asLong() == nextUser);
    }

    @Test
    void aDeactivationAndADeletionRecordedInTheChangeLogAreAnsweredByBothCachedInstances() throws SQLException {
        final long userId = TestPeople.create(adminA, "agent").id();
        final long employeeId = createEmployee(null).get("id").asLong();
        final String userPath = "/api/v1/users/internal/" + userId + "/";
        final String employeePath = "/api/v1/hdts/employees/internal/" + employeeId + "/";
        for (DropwizardAppExtension<AuthServiceConfiguration> app : java.util.List.of(A, B)) {
            assertThat(get(app, userPath).path("is_active").asBoolean()).isTrue();
            assertThat(status(app, employeePath)).isEqualTo(200);
        }

        // as any writer must (no task deactivates or deletes people yet): the row and its change, in one transaction
        try (Connection db = DriverManager.getConnection(DB.url(), DB.user(), DB.password())) {
            db.setAutoCommit(false);
            execute(db, "UPDATE users SET is_active = FALSE, updated_at = now() WHERE id = ?", userId);
            execute(db, "INSERT INTO directory_changes (kind, entity_id) VALUES ('user', ?)", userId);
            execute(db, "DELETE FROM employees WHERE id = ?", employeeId);
            execute(db, "INSERT INTO directory_changes (kind, entity_id) VALUES ('employee', ?)", employeeId);
            db.commit();
        }

        await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() ->
                !get(A, userPath).path("is_active").asBoolean() && !get(B, userPath).path("is_active").asBoolean()
                        && status(A, employeePath) == 404 && status(B, employeePath) == 404);
    }

    @Test
    void withTheCacheOffEveryRequestReadsTheStoreAndNoCacheMetricsExist() throws SQLException {
        final long userId = TestPeople.create(adminA, "agent").id();
        final String path = "/api/v1/users/internal/" + userId + "/";
        assertThat(get(UNCACHED, path).path("email").asText()).endsWith("@example.com");

        // a change no change log row announces: only a query per request sees it at once
        try (Connection db = DriverManager.getConnection(DB.url(), DB.user(), DB.password())) {
            execute(db, "UPDATE users SET email = 'changed@example.com' WHERE id = ?", userId);
        }

        assertThat(get(UNCACHED, path).path("email").asText()).isEqualTo("changed@example.com");
        assertThat(metrics(UNCACHED).path("gauges").has("directory-cache.users.size")).isFalse();
        assertThat(health(UNCACHED).has("directory-cache")).isFalse();
    }

    @Test
    void theCachedInstancesMetricsAndHealthCheckMove() {
        final long userId = TestPeople.create(adminA, "agent").id();
        final String path = "/api/v1/users/internal/" + userId + "/";
        final JsonNode before = metrics(B);
        final long hitsBefore = before.path("counters").path("directory-cache.users.hits").path("count").asLong();
        final long missesBefore = before.path("counters").path("directory-cache.users.misses").path("count").asLong();

        for (int i = 0; i < 5; i++) {
            assertThat(status(B, path)).isEqualTo(200);
        }

        // the user's creation reaches B's poller at some point during these requests and drops the entry
        // once (a later poll finds nothing new), so one or two of the five are misses, the rest hits
        final JsonNode after = metrics(B);
        final long misses = after.path("counters").path("directory-cache.users.misses").path("count").asLong() - missesBefore;
        final long hits = after.path("counters").path("directory-cache.users.hits").path("count").asLong() - hitsBefore;
        assertThat(misses).isBetween(1L, 2L);
        assertThat(hits + misses).isEqualTo(5);
        assertThat(after.path("gauges").path("directory-cache.users.size").path("value").asLong()).isPositive();
        assertThat(after.path("gauges").path("directory-cache.users.hit-rate").path("value").asDouble())
                .isBetween(0.0, 1.0).isPositive();
        assertThat(after.path("gauges").has("directory-cache.employees.size")).isTrue();
        final long staleness = after.path("gauges").path("directory-cache.staleness-millis").path("value").asLong();
        assertThat(staleness).isBetween(0L, BOUND.toMillis());
        assertThat(health(B).path("directory-cache").path("healthy").asBoolean()).isTrue();
    }

    private JsonNode createEmployee(Long userId) {
        final Map<String, String> params = new java.util.HashMap<>(Map.of("employee_number",
                "E-" + UUID.randomUUID().toString().substring(0, 8), "first_name", "Erin", "last_name", "Evans",
                "email", "erin@corp.example"));
        if (userId != null) {
            params.put("user_id", Long.toString(userId));
        }
        return adminA.json("create-employee", params).get("employee");
    }

    private static void execute(Connection db, String sql, long id) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setLong(1, id);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }

    private static JsonNode get(DropwizardAppExtension<AuthServiceConfiguration> app, String path) {
        try (Response response = request(app, path)) {
            final String body = response.readEntity(String.class);
            assertThat(response.getStatus()).as(body).isEqualTo(200);
            return JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int status(DropwizardAppExtension<AuthServiceConfiguration> app, String path) {
        try (Response response = request(app, path)) {
            return response.getStatus();
        }
    }

    private static Response request(DropwizardAppExtension<AuthServiceConfiguration> app, String path) {
        return app.client().target("http://127.0.0.1:" + app.getLocalPort() + path).request()
                .header("X-API-Key", key).get();
    }

    private static JsonNode metrics(DropwizardAppExtension<AuthServiceConfiguration> app) {
        return admin(app, "/metrics");
    }

    private static JsonNode health(DropwizardAppExtension<AuthServiceConfiguration> app) {
        return admin(app, "/healthcheck");
    }

    private static JsonNode admin(DropwizardAppExtension<AuthServiceConfiguration> app, String path) {
        try (Response response = app.client().target("http://127.0.0.1:" + app.getAdminPort() + path).request().get()) {
            return JSON.readTree(response.readEntity(String.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
