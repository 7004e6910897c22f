package io.authservice.auth;

import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service on a PostgreSQL server of its own, which the test stops: a request whose key is not
 * cached gets 503 with {@code Retry-After} in the JSON error shape (not 401, not 500), and its audit
 * event says {@code store_unavailable}; a key already cached keeps working. The audit trail goes to
 * the log sink and the recording seam, as the store is down with the database.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class KeyStoreOutageIntegrationTest {
    /**
     * No revocation poll during the test: a poll that read the keys' creation rows after the first
     * request would drop the cached key (as it must), and "a cached key still works" would race it.
     * Only the start-up poll runs, and the test waits for it before creating its keys.
     */
    private static final String LONG_POLL = "1h";
    private static final EmbeddedPostgres SERVER = start();
    private static final TestDatabases.Db DB = new TestDatabases.Db("org.postgresql.Driver",
            SERVER.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeInstanceConfig(DB, TestApps.tempDir(), "test", LONG_POLL, "audit: {sink: log}"));

    private final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());
    private final Http http = new Http(APP.getLocalPort());

    @Test
    void anUncachedKeyGets503WithRetryAfterAndAStoreUnavailableEventWhileTheDatabaseIsDown() throws IOException {
        await("the start-up poll of the key change log")
                .until(() -> APP.getEnvironment().healthChecks().runHealthCheck("api-key-cache").isHealthy());
        final String cached = admin.json("create-api-key", Map.of("name", "outage-cached")).get("key").asText();
        final String uncached = admin.json("create-api-key", Map.of("name", "outage-uncached")).get("key").asText();
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", cached).status()).isEqualTo(200);
        final TestAuthServiceApplication app = APP.getApplication();
        app.audit().clear();

        SERVER.close();

        final Http.Answer refused = http.get("/api/v1/whoami/", "X-API-Key", uncached);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("5");
        assertThat(refused.header("Content-Type")).startsWith("application/json");
        assertThat(refused.json().get("code").asInt()).isEqualTo(503);
        assertThat(refused.json().get("message").asText()).isEqualTo(ApiKeyOutcome.STORE_UNAVAILABLE_MESSAGE);
        assertThat(refused.body()).doesNotContain(uncached);

        final List<AuditEvent> events = app.audit().matching(e -> AuditEventTypes.API_KEY_REJECTED.equals(e.type()));
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.reason()).isEqualTo(AuditReasons.STORE_UNAVAILABLE);
            assertThat(event.status()).isEqualTo(503);
            assertThat(event.fingerprint()).isNotBlank();
        });

        assertThat(http.get("/api/v1/whoami/", "X-API-Key", cached).status()).as("a cached key still works").isEqualTo(200);
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", "0".repeat(40)).status())
                .as("an unknown value cannot be told from a good one either: 503").isEqualTo(503);
    }

    private static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }
}
