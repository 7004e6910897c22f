package io.authservice.auditing;

import io.authservice.AuthServiceConfiguration;
import io.authservice.auth.AuditRejectFilter;
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
 * {@code failureMode: reject}: Kafka unreachable and a spool too small to take anything, so no
 * event can be recorded: key-authenticated requests get 503, others are served.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditRejectModeIntegrationTest {
    private static final Path DIR = TestApps.tempDir();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeConfig(TestDatabases.newH2(DIR), DIR,
            "audit:",
            "  sink: kafka",
            "  failureMode: reject",
            "  kafka:",
            "    bootstrapServers: 127.0.0.1:" + closedPort(),
            "    spoolDirectory: \"" + DIR.resolve("spool") + "\"",
            "    maxSpoolSize: 1 byte",
            "    maxBlock: 100ms",
            "    requestTimeout: 500ms",
            "    deliveryTimeout: 1s",
            "    retryInterval: 100ms"));

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void keyRequestsGet503WhileNothingCanBeRecorded() {
        final Http http = new Http(APP.getLocalPort());
        final String key = new AdminClient(APP.client(), APP.getAdminPort())
                .json("create-api-key", Map.of("name", "reject-mode")).get("key").asText();

        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/v1/whoami/", "X-API-Key", key).status() == 503);
        final Http.Answer refused = http.get("/api/v1/whoami/", "X-API-Key", key);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("5");
        assertThat(refused.json().get("message").asText()).isEqualTo(AuditRejectFilter.MESSAGE);
        assertThat(http.get("/api/v1/ping/").status()).isEqualTo(200);
    }
}
