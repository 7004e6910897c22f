package io.authservice.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.core.ApiKeySecrets;
import io.authservice.testing.AdminClient;
import io.authservice.testing.TestAuthServiceApplication;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * X-API-Key authentication through the whole running service, on a real database: what callers
 * are answered and what the audit seam is handed. Run once per database by its subclasses.
 */
abstract class ApiKeyAuthenticationContract {

    protected abstract DropwizardAppExtension<AuthServiceConfiguration> app();

    private AdminClient admin;

    @BeforeEach
    void setUp() {
        admin = new AdminClient(app().client(), app().getAdminPort());
        audit().clear();
    }

    private io.authservice.testing.RecordingAuditLog audit() {
        return ((TestAuthServiceApplication) app().getApplication()).audit();
    }

    private String createKey(String name, String... params) {
        final Map<String, String> all = new LinkedHashMap<>();
        all.put("name", name);
        for (int i = 0; i < params.length; i += 2) {
            all.put(params[i], params[i + 1]);
        }
        return admin.json("create-api-key", all).get("key").asText();
    }

    private Invocation.Builder request(String path) {
        return app().client().target("http://127.0.0.1:" + app().getLocalPort() + path).request();
    }

    private Response whoami(String key) {
        final Invocation.Builder request = request("/api/v1/whoami/");
        return key == null ? request.get() : request.header("X-API-Key", key).get();
    }

    @Test
    void aValidKeyIsAcceptedAndItsUseAudited() {
        final String key = createKey("TTS-Backend-" + System.nanoTime());
        audit().clear();

        try (Response response = whoami(key)) {
            assertThat(response.getStatus()).isEqualTo(200);
            final JsonNode body = response.readEntity(JsonNode.class);
            assertThat(body.get("type").asText()).isEqualTo("service");
            assertThat(body.get("name").asText()).startsWith("TTS-Backend-");
            assertThat(body.get("key_prefix").asText()).isEqualTo(key.substring(0, 8));
            assertThat(body.get("scopes")).extracting(JsonNode::asText)
                    .containsExactly("employees:read", "users-info:read", "users:read");
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> !audit().events().isEmpty());
        final AuditEvent used = audit().events().get(0);
        assertThat(used.type()).isEqualTo(AuditEventTypes.API_KEY_USED);
        assertThat(used.outcome()).isEqualTo(AuditEvent.SUCCESS);
        assertThat(used.keyName()).startsWith("TTS-Backend-");
        assertThat(used.keyPrefix()).isEqualTo(key.substring(0, 8));
        assertThat(used.keyId()).isNotNull();
        assertThat(used.clientAddress()).isEqualTo("127.0.0.1");
        assertThat(used.method()).isEqualTo("GET");
        assertThat(used.path()).isEqualTo("/api/v1/whoami/");
        assertThat(used.status()).isEqualTo(200);
        assertThat(used.toString()).doesNotContain(key);
    }

    @Test
    void theTrailingSlashIsOptional() {
        final String key = createKey("slash-" + System.nanoTime());
        try (Response response = request("/api/v1/whoami").header("X-API-Key", key).get()) {
            assertThat(response.getStatus()).isEqualTo(200);
        }
    }

    @Test
    void everyKindOfBadKeyGetsTheSame401AndTheAuditTrailGetsTheTruth() {
        final String inactive = createKey("inactive-" + System.nanoTime());
        admin.json("deactivate-api-key", Map.of("name", nameOf(inactive)));
        final String expired = createKey("expired-" + System.nanoTime());
        admin.json("rotate-api-key", Map.of("name", nameOf(expired), "grace", "0s"));
        final String unknown = "0123456789abcdef0123456789abcdef01234567";
        // the deactivation and rotation reach the cache through the change log
        await().atMost(Duration.ofSeconds(5)).until(() -> status(inactive) == 401 && status(expired) == 401);
        audit().clear();

        final Map<String, String> cases = new LinkedHashMap<>();
        cases.put("missing", null);
        cases.put(AuditReasons.MALFORMED, "not-a-key");
        cases.put(AuditReasons.MALFORMED + "-uppercase", unknown.toUpperCase());
        cases.put(AuditReasons.MALFORMED + "-too-long", unknown + "0");
        cases.put(AuditReasons.UNKNOWN, unknown);
        cases.put(AuditReasons.INACTIVE, inactive);
        cases.put(AuditReasons.EXPIRED, expired);

        String firstBody = null;
        String firstChallenge = null;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            try (Response response = whoami(c.getValue())) {
                assertThat(response.getStatus()).as(c.getKey()).isEqualTo(401);
                final String body = response.readEntity(String.class);
                final String challenge = response.getHeaderString("WWW-Authenticate");
                assertThat(response.getMediaType().toString()).as(c.getKey()).startsWith("application/json");
                if (firstBody == null) {
                    firstBody = body;
                    firstChallenge = challenge;
                }
                assertThat(body).as(c.getKey()).isEqualTo(firstBody);
                assertThat(challenge).as(c.getKey()).isEqualTo(firstChallenge);
            }
        }
        assertThat(firstBody).isEqualTo("{\"code\":401,\"message\":\"Credentials are required to access this resource.\"}");
        assertThat(firstChallenge).isEqualTo("ApiKey realm=\"auth-service\"");

        await().atMost(Duration.ofSeconds(5)).until(() -> audit().events().size() == 6);
        final List<String> reasons = audit().events().stream().map(AuditEvent::reason).toList();
        assertThat(reasons).containsExactly(AuditReasons.MALFORMED, AuditReasons.MALFORMED, AuditReasons.MALFORMED,
                AuditReasons.UNKNOWN, AuditReasons.INACTIVE, AuditReasons.EXPIRED);
        assertThat(audit().events()).allSatisfy(event -> {
            assertThat(event.type()).isEqualTo(AuditEventTypes.API_KEY_REJECTED);
            assertThat(event.outcome()).isEqualTo(AuditEvent.FAILURE);
            assertThat(event.status()).isEqualTo(401);
            assertThat(event.toString()).doesNotContain(unknown).doesNotContain(inactive).doesNotContain(expired);
        });
        // a key that exists is named in its failure event; an unknown one cannot be
        assertThat(audit().events().get(4).keyPrefix()).isEqualTo(inactive.substring(0, 8));
        assertThat(audit().events().get(5).keyPrefix()).isEqualTo(expired.substring(0, 8));
        assertThat(audit().events().get(3).keyId()).isNull();
    }

    @Test
    void aMalformedKeyIsRefusedWithoutALookup() {
        final var counters = app().getEnvironment().metrics().getCounters();
        final long before = counters.get("api-key-cache.hits").getCount() + counters.get("api-key-cache.misses").getCount();

        for (String malformed : List.of("x", "0".repeat(39), "0".repeat(41), "G".repeat(40), "' OR 1=1 --" + "0".repeat(29))) {
            try (Response response = whoami(malformed)) {
                assertThat(response.getStatus()).isEqualTo(401);
            }
        }

        final long after = counters.get("api-key-cache.hits").getCount() + counters.get("api-key-cache.misses").getCount();
        assertThat(after).isEqualTo(before);
    }

    @Test
    void aKeyIsNeverTakenFromTheQueryString() {
        final String key = createKey("query-" + System.nanoTime());
        for (String param : List.of("X-API-Key", "api_key", "key")) {
            try (Response response = app().client()
                    .target("http://127.0.0.1:" + app().getLocalPort() + "/api/v1/whoami/")
                    .queryParam(param, key).request().get()) {
                assertThat(response.getStatus()).as(param).isEqualTo(401);
            }
        }
    }

    @Test
    void aValidKeyWithoutTheScopeGets403AndTheAuditTrailSaysWhy() {
        final String narrow = createKey("narrow-" + System.nanoTime(), "scopes", "users:read");
        final String auditor = createKey("siem-" + System.nanoTime(), "scopes", "audit:read");
        audit().clear();

        try (Response response = request("/test/scoped").header("X-API-Key", narrow).get()) {
            assertThat(response.getStatus()).isEqualTo(403);
            assertThat(response.readEntity(JsonNode.class).get("code").asInt()).isEqualTo(403);
        }
        try (Response response = request("/test/scoped").header("X-API-Key", auditor).get()) {
            assertThat(response.getStatus()).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> audit().events().size() == 2);
        final AuditEvent refused = audit().events().get(0);
        assertThat(refused.type()).isEqualTo(AuditEventTypes.API_KEY_REJECTED);
        assertThat(refused.reason()).isEqualTo(AuditReasons.INSUFFICIENT_SCOPE);
        assertThat(refused.keyPrefix()).isEqualTo(narrow.substring(0, 8));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(audit().events().get(1).type()).isEqualTo(AuditEventTypes.API_KEY_USED);
    }

    @Test
    void theStoreKeepsOnlyTheHashAndThePrefix() throws Exception {
        final String key = createKey("hash-only-" + System.nanoTime());
        final String listing = admin.run("list-api-keys", Map.of("format", "json")).body();
        assertThat(listing).contains(key.substring(0, 8)).doesNotContain(key).doesNotContain(ApiKeySecrets.hash(key));

        final var db = app().getConfiguration().getDatabase();
        try (Connection c = DriverManager.getConnection(db.getUrl(), db.getUser(), db.getPassword());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM api_keys WHERE prefix = '" + key.substring(0, 8) + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("key_hash").trim()).isEqualTo(ApiKeySecrets.hash(key));
            for (int column = 1; column <= rs.getMetaData().getColumnCount(); column++) {
                assertThat(String.valueOf(rs.getObject(column))).doesNotContain(key);
            }
        }
    }

    private String nameOf(String key) {
        final JsonNode keys = admin.json("list-api-keys", Map.of()).get("api_keys");
        for (JsonNode k : keys) {
            if (k.get("prefix").asText().equals(key.substring(0, 8))) {
                return k.get("name").asText();
            }
        }
        throw new AssertionError("no key with prefix " + key.substring(0, 8));
    }

    private int status(String key) {
        try (Response response = whoami(key)) {
            return response.getStatus();
        }
    }
}
