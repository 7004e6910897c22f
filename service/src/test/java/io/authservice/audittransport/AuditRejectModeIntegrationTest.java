package io.authservice.audittransport;

import com.codahale.metrics.Counter;
import io.authservice.AuthServiceConfiguration;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A full journal (a tiny {@code maxSize}, and nothing shipped: no broker listens), in each failure
 * mode. {@code reject}: every request whose event cannot be journaled gets 503 with
 * {@code Retry-After} in the JSON error shape, a key-authenticated one and a person's sign-in alike;
 * a request that records nothing is served. {@code serve}: requests are answered, the lost events
 * counted, and the health check fails.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditRejectModeIntegrationTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final DropwizardAppExtension<AuthServiceConfiguration> REJECT = app("reject");
    private static final DropwizardAppExtension<AuthServiceConfiguration> SERVE = app("serve");

    private static DropwizardAppExtension<AuthServiceConfiguration> app(String failureMode) {
        final Path dir = TestApps.tempDir();
        return new DropwizardAppExtension<>(TestAuthServiceApplication.class, TestApps.writeConfig(TestDatabases.newH2(dir), dir,
                "audit:",
                "  sink: kafka",
                "  failureMode: " + failureMode,
                "  shutdownTimeout: 1s",
                "  journal:",
                "    directory: \"" + dir.resolve("journal") + "\"",
                "    segmentSize: 4KiB",
                "    maxSize: 16KiB",
                "  kafka:",
                "    bootstrapServers: 127.0.0.1:" + closedPort(),
                "    maxBlock: 100ms",
                "    requestTimeout: 500ms",
                "    deliveryTimeout: 1s"));
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void createUser(DropwizardAppExtension<AuthServiceConfiguration> app, String username) {
        final AdminClient.Answer answer = new AdminClient(app.client(), app.getAdminPort()).run("create-user", Map.of(),
                TestApps.ADMIN_TOKEN, "{\"username\":\"" + username + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private static Http.Answer signIn(Http http, String username) {
        return http.post("/api/v1/token/", "{\"username\":\"" + username + "\",\"password\":\"" + PASSWORD + "\"}");
    }

    private static void assertRefused(Http.Answer answer) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        assertThat(answer.header("Retry-After")).isEqualTo("5");
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        assertThat(answer.json().get("code").asInt()).isEqualTo(503);
        assertThat(answer.json().get("message").asText()).isEqualTo(AuditUnavailableException.MESSAGE);
        assertThat(answer.cookies()).isEmpty();
        assertThat(answer.header("X-Request-Id")).isNotBlank();
    }

    @Test
    void rejectModeRefusesEveryRequestWhoseEventCannotBeJournaledKeyUsesAndSignInsAlike() {
        final Http http = new Http(REJECT.getLocalPort());
        createUser(REJECT, "rita");
        final String key = new AdminClient(REJECT.client(), REJECT.getAdminPort())
                .json("create-api-key", Map.of("name", "reject-mode")).get("key").asText();

        // each use is journaled and nothing is shipped, until the journal is full
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/api/v1/whoami/", "X-API-Key", key).status() == 503);
        assertRefused(http.get("/api/v1/whoami/", "X-API-Key", key));
        assertRefused(http.get("/api/v1/whoami/", "X-API-Key", "0".repeat(40)));  // a failed attempt too
        assertRefused(signIn(http, "rita"));
        assertRefused(signIn(http, "nobody"));
        assertRefused(http.get("/api/v1/users/me/", "Authorization", "Bearer not.a.token"));  // a token rejection
        assertThat(http.get("/api/v1/ping/").status()).as("a request that records no event").isEqualTo(200);
        assertThat(((Counter) REJECT.getEnvironment().metrics().getMetrics().get("audit.dropped")).getCount()).isZero();
    }

    @Test
    void serveModeAnswersCountsTheLostEventsAndFailsTheHealthCheck() {
        final Http http = new Http(SERVE.getLocalPort());
        createUser(SERVE, "sam");
        final String key = new AdminClient(SERVE.client(), SERVE.getAdminPort())
                .json("create-api-key", Map.of("name", "serve-mode")).get("key").asText();
        final Counter dropped = (Counter) SERVE.getEnvironment().metrics().getMetrics().get("audit.dropped");

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
            return dropped.getCount() > 0;
        });
        assertThat(signIn(http, "sam").status()).isEqualTo(200);
        final long before = dropped.getCount();
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
        assertThat(dropped.getCount()).isEqualTo(before + 1);
        final Http.Answer health = new Http(SERVE.getAdminPort()).get("/healthcheck");
        assertThat(health.status()).isEqualTo(500);
        assertThat(health.json().get("audit-journal").get("healthy").asBoolean()).isFalse();
        assertThat(health.json().get("audit-journal").get("message").asText()).contains("full");
    }
}
