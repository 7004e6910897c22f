package io.authservice.crash;

import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.testing.AdminClient;
import io.authservice.testing.ServiceProcess;
import io.authservice.testing.TestApps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key change answered by an admin task survives the process being killed right after the
 * answer (SIGKILL: no shutdown hook, nothing flushed on the way out): after a restart on the same
 * data, a deactivated, rotated or deleted key is still refused. The service runs as a child JVM on
 * the shipped config; each subclass names the database.
 */
abstract class KeyCrashContract {
    private ServiceProcess service;

    /** The {@code AUTH_DB_*} environment of the database under test; empty: the embedded default. */
    protected abstract Map<String, String> database();

    @AfterEach
    void tearDown() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void keyChangesAnsweredJustBeforeAKillSurviveIt() {
        service = ServiceProcess.shipped(TestApps.tempDir(), database()).start();
        final AdminClient admin = service.admin();
        final Map<String, String> keys = new HashMap<>();
        for (String name : List.of("kept", "deactivated", "rotated", "deleted")) {
            keys.put(name, admin.json("create-api-key", Map.of("name", name)).get("key").asText());
        }
        keys.values().forEach(key -> assertThat(whoami(key)).isEqualTo(200));

        // the three changes, each answered, then the kill at once
        final String successor = admin.json("rotate-api-key", Map.of("name", "rotated", "grace", "0s")).get("key").asText();
        assertThat(admin.json("delete-api-key", Map.of("name", "deleted")).get("action").asText()).isEqualTo("deleted");
        assertThat(admin.run("deactivate-api-key", Map.of("name", "deactivated")).body()).startsWith("Deactivated");
        service.kill();

        service.start();
        final Map<String, JsonNode> listed = new HashMap<>();
        StreamSupport.stream(service.admin().json("list-api-keys", Map.of()).get("api_keys").spliterator(), false)
                .forEach(key -> listed.merge(key.get("name").asText(), key, (first, second) ->
                        first.get("status").asText().equals("active") ? first : second));
        assertThat(listed.get("deactivated").get("status").asText()).as(service.logTail()).isEqualTo("inactive");
        assertThat(listed).doesNotContainKey("deleted");
        assertThat(whoami(keys.get("deactivated"))).isEqualTo(401);
        assertThat(whoami(keys.get("deleted"))).isEqualTo(401);
        assertThat(whoami(keys.get("rotated"))).isEqualTo(401);
        assertThat(whoami(successor)).isEqualTo(200);
        assertThat(whoami(keys.get("kept"))).isEqualTo(200);
    }

    private int whoami(String key) {
        return service.http().get("/api/v1/whoami/", "X-API-Key", key).status();
    }
}
