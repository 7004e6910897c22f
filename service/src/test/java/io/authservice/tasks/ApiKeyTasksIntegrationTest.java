package io.authservice.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.testing.AdminClient;
import io.authservice.testing.AdminClient.Answer;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The API key admin tasks through the real admin port, on PostgreSQL. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiKeyTasksIntegrationTest {
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.configPath(),
            TestApps.overrides(TestDatabases.newPostgres(), TestApps.tempDir()));

    private AdminClient admin;

    @BeforeEach
    void setUp() {
        admin = new AdminClient(APP.client(), APP.getAdminPort());
    }

    /** The service's clock (see {@link io.authservice.testing.TestClock#fromSystem()}): what the tasks' times are measured by. */
    private static java.time.Clock clock() {
        return ((TestAuthServiceApplication) APP.getApplication()).testClock();
    }

    private static String unique(String name) {
        return name + "-" + System.nanoTime();
    }

    @Test
    void everyTaskNeedsTheAdminTokenIncludingDropwizardsOwn() {
        for (String task : List.of("create-api-key", "list-api-keys", "deactivate-api-key", "rotate-api-key",
                "delete-api-key", "invalidate-api-key-cache", "gc", "log-level")) {
            for (String token : new String[]{null, "wrong-token", TestApps.ADMIN_TOKEN + "x", ""}) {
                final Answer answer = admin.run(task, Map.of("name", "x"), token, null);
                assertThat(answer.status()).as(task + " with token " + token).isEqualTo(401);
                assertThat(answer.json().get("code").asInt()).isEqualTo(401);
            }
        }
        assertThat(admin.run("gc", Map.of()).status()).isEqualTo(200);
    }

    @Test
    void createPrintsTheKeyOnceAndListNeverShowsIt() {
        final String name = unique("TTS-Production");
        final Instant before = clock().instant();
        final JsonNode created = admin.json("create-api-key",
                Map.of("name", name, "scopes", "users:read, employees:read", "expires_in", "90d"));
        final String key = created.get("key").asText();
        assertThat(key).matches("[0-9a-f]{40}");
        final JsonNode stored = created.get("api_key");
        assertThat(stored.get("name").asText()).isEqualTo(name);
        assertThat(stored.get("prefix").asText()).isEqualTo(key.substring(0, 8));
        assertThat(stored.get("scopes")).extracting(JsonNode::asText).containsExactly("employees:read", "users:read");
        assertThat(stored.get("status").asText()).isEqualTo("active");
        final Instant expires = Instant.parse(stored.get("expires_at").asText());
        assertThat(expires).isBetween(before.plus(Duration.ofDays(90)).minusSeconds(1),
                clock().instant().plus(Duration.ofDays(90)).plusSeconds(1));
        assertThat(stored.has("key_hash")).isFalse();

        final Answer text = admin.run("list-api-keys", Map.of());
        final Answer json = admin.run("list-api-keys", Map.of("format", "json"));
        assertThat(text.body()).contains(name).contains(key.substring(0, 8)).doesNotContain(key);
        assertThat(json.body()).contains(name).doesNotContain(key);
        assertThat(json.contentType()).startsWith("application/json");
    }

    @Test
    void theHumanFormIsTheDefault() {
        final Answer answer = admin.run("create-api-key", Map.of("name", unique("human")));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).startsWith("Created API key ").contains("shown only now");
    }

    @Test
    void aKeyWithoutScopesGetsTheDefaultInternalReadScopes() {
        final JsonNode created = admin.json("create-api-key", Map.of("name", unique("defaults")));
        assertThat(created.get("api_key").get("scopes")).extracting(JsonNode::asText)
                .containsExactly("employees:read", "users-info:read", "users:read");
    }

    @Test
    void badParametersAre4xxWithAJsonMessageAndChangeNothing() {
        final String existing = unique("keep-me");
        admin.json("create-api-key", Map.of("name", existing));
        final String before = admin.run("list-api-keys", Map.of("format", "json")).body();

        final Map<String, Map<String, String>> cases = new LinkedHashMap<>();
        cases.put("create-api-key|no name", Map.of());
        cases.put("create-api-key|blank name", Map.of("name", "   "));
        cases.put("create-api-key|name too long", Map.of("name", "x".repeat(101)));
        cases.put("create-api-key|control characters", Map.of("name", "bad\nname"));
        cases.put("create-api-key|unknown scope", Map.of("name", "x", "scopes", "users:read,admin:all"));
        cases.put("create-api-key|bad lifetime", Map.of("name", "x", "expires_in", "ninety days"));
        cases.put("create-api-key|zero lifetime", Map.of("name", "x", "expires_in", "0d"));
        cases.put("create-api-key|huge lifetime", Map.of("name", "x", "expires_in", "99999999999d"));
        cases.put("create-api-key|unknown parameter", Map.of("name", "x", "key", "0123"));
        cases.put("create-api-key|bad format", Map.of("name", "x", "format", "xml"));
        cases.put("deactivate-api-key|neither id nor name", Map.of());
        cases.put("deactivate-api-key|both id and name", Map.of("id", "1", "name", existing));
        cases.put("deactivate-api-key|id not a number", Map.of("id", "abc"));
        cases.put("deactivate-api-key|negative id", Map.of("id", "-4"));
        cases.put("deactivate-api-key|id beyond long", Map.of("id", "99999999999999999999999"));
        cases.put("deactivate-api-key|no such id", Map.of("id", "987654"));
        cases.put("deactivate-api-key|no such name", Map.of("name", "nobody"));
        cases.put("rotate-api-key|bad grace", Map.of("name", existing, "grace", "-1h"));
        cases.put("delete-api-key|odd characters", Map.of("name", "\u0000\u202e'; DROP TABLE api_keys; --"));

        for (Map.Entry<String, Map<String, String>> c : cases.entrySet()) {
            final String task = c.getKey().substring(0, c.getKey().indexOf('|'));
            final Answer answer = admin.run(task, c.getValue());
            assertThat(answer.status()).as(c.getKey() + ": " + answer.body()).isBetween(400, 499);
            assertThat(answer.contentType()).as(c.getKey()).startsWith("application/json");
            final JsonNode error = answer.json();
            assertThat(error.get("code").asInt()).isEqualTo(answer.status());
            assertThat(error.get("message").asText()).as(c.getKey()).isNotBlank().doesNotContain("Exception");
        }

        assertThat(admin.run("list-api-keys", Map.of("format", "json")).body()).isEqualTo(before);
    }

    @Test
    void aNameSharedByTwoActiveKeysIsAmbiguousButTheirIdsWork() {
        final String name = unique("shared");
        final long first = admin.json("create-api-key", Map.of("name", name)).get("api_key").get("id").asLong();
        admin.json("create-api-key", Map.of("name", name));

        final Answer ambiguous = admin.run("deactivate-api-key", Map.of("name", name));
        assertThat(ambiguous.status()).isEqualTo(409);
        assertThat(ambiguous.json().get("message").asText()).contains("ambiguous");

        final JsonNode deactivated = admin.json("deactivate-api-key", Map.of("id", Long.toString(first)));
        assertThat(deactivated.get("api_key").get("status").asText()).isEqualTo("inactive");
        // with one of them inactive, the name is unique among active keys again
        assertThat(admin.run("deactivate-api-key", Map.of("name", name)).status()).isEqualTo(200);
    }

    @Test
    void rotationGivesASuccessorAndBothWorkThroughTheGracePeriod() {
        final String name = unique("TTS-Prod-2024-Q1");
        final String old = admin.json("create-api-key", Map.of("name", name, "scopes", "users:read")).get("key").asText();

        final Instant before = clock().instant();
        final JsonNode rotated = admin.json("rotate-api-key", Map.of("name", name, "grace", "24h"));
        final String successor = rotated.get("key").asText();
        assertThat(successor).isNotEqualTo(old).matches("[0-9a-f]{40}");
        assertThat(rotated.get("api_key").get("scopes")).extracting(JsonNode::asText).containsExactly("users:read");
        assertThat(rotated.get("api_key").get("name").asText()).isEqualTo(name);
        final JsonNode previous = rotated.get("previous");
        assertThat(previous.get("replaced_by").asLong()).isEqualTo(rotated.get("api_key").get("id").asLong());
        assertThat(Instant.parse(previous.get("expires_at").asText()))
                .isBetween(before.plus(Duration.ofHours(24)).minusSeconds(1), clock().instant().plus(Duration.ofHours(24)).plusSeconds(1));

        assertThat(whoami(old)).isEqualTo(200);
        assertThat(whoami(successor)).isEqualTo(200);

        // the name now means the successor: rotating again rotates it, not the old key
        final JsonNode again = admin.json("rotate-api-key", Map.of("name", name, "grace", "1h"));
        assertThat(again.get("previous").get("prefix").asText()).isEqualTo(successor.substring(0, 8));
        // and the superseded key cannot be rotated a second time
        final Answer twice = admin.run("rotate-api-key", Map.of("id", previous.get("id").asText()));
        assertThat(twice.status()).isEqualTo(409);
    }

    @Test
    void deleteRemovesTheKeyAndTheCacheForgetsIt() {
        final JsonNode created = admin.json("create-api-key", Map.of("name", unique("doomed")));
        final String key = created.get("key").asText();
        assertThat(whoami(key)).isEqualTo(200);

        final JsonNode deleted = admin.json("delete-api-key", Map.of("id", created.get("api_key").get("id").asText()));
        assertThat(deleted.get("action").asText()).isEqualTo("deleted");

        await().atMost(Duration.ofSeconds(2)).until(() -> whoami(key) == 401);
        assertThat(admin.run("list-api-keys", Map.of()).body()).doesNotContain(key.substring(0, 8));
    }

    @Test
    void invalidatingTheCacheReportsTheEntriesDropped() {
        final String key = admin.json("create-api-key", Map.of("name", unique("cached"))).get("key").asText();
        // the revocation poller drops the new key from the cache once, when it reads the key's creation;
        // one of these tries finds it still cached when the task runs
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(whoami(key)).isEqualTo(200);
            final JsonNode answer = admin.json("invalidate-api-key-cache", Map.of());
            assertThat(answer.get("entries").asLong()).isGreaterThanOrEqualTo(1);
        });
        assertThat(whoami(key)).isEqualTo(200);
    }

    @Test
    void lifecycleChangesAreAuditedWithTheActorAndSurface() {
        final var audit = ((TestAuthServiceApplication) APP.getApplication()).audit();
        audit.clear();
        final String name = unique("audited");
        admin.json("create-api-key", Map.of("name", name));
        admin.json("deactivate-api-key", Map.of("name", name));

        final List<AuditEvent> events = audit.matching(e -> name.equals(e.keyName()));
        assertThat(events).extracting(AuditEvent::type)
                .containsExactly(AuditEventTypes.API_KEY_CREATED, AuditEventTypes.API_KEY_DEACTIVATED);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.surface()).isEqualTo("task");
            assertThat(e.actor()).isEqualTo("admin@127.0.0.1");
        });
    }

    private static int whoami(String key) {
        try (Response response = APP.client().target("http://127.0.0.1:" + APP.getLocalPort() + "/api/v1/whoami/")
                .request().header("X-API-Key", key).get()) {
            return response.getStatus();
        }
    }
}
