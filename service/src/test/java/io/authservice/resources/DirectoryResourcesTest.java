package io.authservice.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.api.EmployeeView;
import io.authservice.api.UserView;
import io.authservice.auth.JsonUnauthorizedHandler;
import io.authservice.auth.ScopeAuthorizer;
import io.authservice.core.ApiKey;
import io.authservice.core.Caller;
import io.authservice.core.EmployeeService;
import io.authservice.core.PasswordHasher;
import io.authservice.core.Scopes;
import io.authservice.core.ServiceCaller;
import io.authservice.core.UserService;
import io.authservice.db.Databases;
import io.authservice.directory.DirectoryLookup;
import io.authservice.testing.RecordingAuditLog;
import io.authservice.testing.TestClock;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The internal directory endpoints ({@link InternalUserResource}, {@link InternalEmployeeResource})
 * alone, over an empty in-memory directory: an id that is not a positive long is a 400 in the JSON
 * error shape, an unknown one a 404, no credentials a 401 with its challenge, a key without the
 * scope a 403. What they answer from a real database is {@link DirectoryEndpointsIntegrationTest}'s.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DirectoryResourcesTest {
    private static final Instant AT = Instant.parse("2026-06-01T12:00:00Z");
    /** The test's stand-in for an API key: the bearer token names a key with these scopes. */
    private static final Map<String, ServiceCaller> CALLERS = Map.of(
            "full", caller(Scopes.USERS_READ, Scopes.EMPLOYEES_READ),
            "audit-only", caller(Scopes.AUDIT_READ));
    private static final Jdbi JDBI = emptyDirectory();
    private static final TestClock CLOCK = new TestClock(AT);
    private static final UserService USERS = new UserService(JDBI, new PasswordHasher(new SecureRandom()), CLOCK,
            new RecordingAuditLog(), "test");
    private static final EmployeeService EMPLOYEES = new EmployeeService(JDBI, CLOCK, new RecordingAuditLog(), "test");
    private static final ResourceExtension RESOURCES = ResourceExtension.builder()
            .addResource(new InternalUserResource(DirectoryLookup.uncached(id -> USERS.find(id).map(UserView::of),
                    ids -> Map.of())))
            .addResource(new InternalEmployeeResource(DirectoryLookup.uncached(
                    id -> EMPLOYEES.find(id).map(EmployeeView::of), ids -> Map.of())))
            .addProvider(new AuthDynamicFeature(new OAuthCredentialAuthFilter.Builder<Caller>()
                    .setAuthenticator(token -> Optional.ofNullable(CALLERS.get(token)))
                    .setAuthorizer(new ScopeAuthorizer())
                    .setUnauthorizedHandler(new JsonUnauthorizedHandler())
                    .setPrefix("Bearer")
                    .buildAuthFilter()))
            .addProvider(RolesAllowedDynamicFeature.class)
            .addProvider(new AuthValueFactoryProvider.Binder<>(Caller.class))
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ServiceCaller caller(String... scopes) {
        return new ServiceCaller(new ApiKey(7, "caller", "ab12cd34", "hash", Set.of(scopes), true, AT, null, null, null, AT, null));
    }

    private static Jdbi emptyDirectory() {
        final Jdbi jdbi = Databases.configure(Jdbi.create("jdbc:h2:mem:directory-resources;DB_CLOSE_DELAY=-1;MODE=PostgreSQL"));
        Databases.migrate(jdbi);
        return jdbi;
    }

    private static Response get(String path, String token) {
        final var request = RESOURCES.target(path).request();
        return token == null ? request.get() : request.header(HttpHeaders.AUTHORIZATION, "Bearer " + token).get();
    }

    /** The status, and the one error shape with that code and a message. */
    private static JsonNode assertError(Response response, int status) throws Exception {
        try (response) {
            final String text = response.readEntity(String.class);
            assertThat(response.getStatus()).as(text).isEqualTo(status);
            assertThat(response.getMediaType().toString()).as(text).startsWith("application/json");
            final JsonNode body = JSON.readTree(text);
            assertThat(body.get("code").asInt()).as(text).isEqualTo(status);
            assertThat(body.get("message").asText()).as(text).isNotBlank();
            return body;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0", "-1", "1.5", "+5", "99999999999999999999", "9223372036854775808"})
    void anIdThatIsNotAPositiveLongIsA400(String id) throws Exception {
        assertThat(assertError(get("/api/v1/users/internal/" + id + "/", "full"), 400).get("message").asText())
                .contains("the user id must be a positive integer");
        assertThat(assertError(get("/api/v1/hdts/employees/internal/" + id, "full"), 400).get("message").asText())
                .contains("the employee id must be a positive integer");
    }

    @Test
    void anUnknownIdIsA404NamingIt() throws Exception {
        assertThat(assertError(get("/api/v1/users/internal/999999/", "full"), 404).get("message").asText())
                .isEqualTo("no user with id 999999");
        assertThat(assertError(get("/api/v1/hdts/employees/internal/999999", "full"), 404).get("message").asText())
                .isEqualTo("no employee with id 999999");
    }

    @Test
    void noCredentialsIsA401WithItsChallengeAndAKeyWithoutTheScopeA403() throws Exception {
        for (String path : new String[]{"/api/v1/users/internal/1/", "/api/v1/hdts/employees/internal/1"}) {
            try (Response response = get(path, null)) {
                response.bufferEntity();
                assertThat(response.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).as(path).isNotBlank();
                assertThat(assertError(response, 401).get("message").asText()).isEqualTo(JsonUnauthorizedHandler.MESSAGE);
            }
            assertError(get(path, "unknown"), 401);
            assertError(get(path, "audit-only"), 403);
        }
    }
}
