package io.authservice.crash;

import io.authservice.testing.RequestLoad;
import io.authservice.testing.ServiceProcess;
import io.authservice.testing.StoredAuditEvents;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A graceful stop (SIGTERM) of the embedded default under load: everything the service still
 * holds reaches the H2 file before the database closes, the audit writer's last batch and the
 * last-used times included, with no "database is already closed" on the way out.
 */
class GracefulStopH2IntegrationTest {
    private ServiceProcess service;

    @AfterEach
    void tearDown() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void aStopUnderLoadLeavesNothingBehind() throws Exception {
        service = ServiceProcess.shipped(TestApps.tempDir(), Map.of()).start();
        final String key = service.admin().json("create-api-key", Map.of("name", "loaded")).get("key").asText();
        final RequestLoad load = new RequestLoad(service.port(), key, 4000, Duration.ofSeconds(30)).start(4);
        await().atMost(Duration.ofSeconds(30)).until(() -> load.answered() >= 1500);

        final int exit = service.stop();
        load.awaitEnd();

        final String log = Files.readString(service.log(), StandardCharsets.UTF_8);
        assertThat(exit).as("exit code after SIGTERM").isEqualTo(143);
        assertThat(log).doesNotContainIgnoringCase("already closed").doesNotContain("ERROR");
        final TestDatabases.Db db = TestDatabases.newH2(service.workDir().resolve("data"));
        final Map<String, Integer> stored = StoredAuditEvents.countByRequestId(db);
        assertThat(load.answered()).isGreaterThanOrEqualTo(1500);
        assertThat(load.answersWithoutRequestId().keySet()).as("answers the application did not make").isSubsetOf(503);
        load.answers().keySet().forEach(requestId ->
                assertThat(stored.get(requestId)).as("events of request " + requestId).isEqualTo(1));
        try (Connection c = db.connect();
             PreparedStatement s = c.prepareStatement("SELECT last_used_at FROM api_keys WHERE name = ?")) {
            s.setString(1, "loaded");
            try (ResultSet row = s.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getTimestamp(1)).as("last_used_at, flushed by the stop").isNotNull();
            }
        }
    }
}
