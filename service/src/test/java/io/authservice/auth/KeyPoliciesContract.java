package io.authservice.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.RecordingAuditLog;
import io.authservice.testing.TestAuthServiceApplication;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Per-key policies through the running service on a real database: allowed addresses (the client
 * address as the trusted proxy, 127.0.0.1 here, forwards it) and rate limits, set at creation,
 * changed by {@code update-api-key}, copied on rotation. Run once per database by its subclasses,
 * whose app trusts 127.0.0.1 as a proxy.
 */
abstract class KeyPoliciesContract {
    /** The extra configuration every subclass's app needs. */
    static final String[] CONFIG = {"clientAddress: {trustedProxies: ['127.0.0.1']}"};
    private static final AtomicLong NAMES = new AtomicLong();
    private static final String UNKNOWN_KEY = "0123456789abcdef0123456789abcdef01234567";

    protected abstract DropwizardAppExtension<AuthServiceConfiguration> app();

    private AdminClient admin;
    private Http http;

    @BeforeEach
    void setUp() {
        admin = new AdminClient(app().client(), app().getAdminPort());
        http = new Http(app().getLocalPort());
    }

    private RecordingAuditLog audit() {
        return ((TestAuthServiceApplication) app().getApplication()).audit();
    }

    private static String unique(String name) {
        return name + "-" + NAMES.incrementAndGet() + "-" + System.nanoTime();
    }

    private JsonNode create(String name, String... params) {
        return admin.json("create-api-key", params(name == null ? new String[0] : new String[]{"name", name}, params));
    }

    private static Map<String, String> params(String[] first, String... more) {
        final Map<String, String> all = new LinkedHashMap<>();
        for (String[] list : List.of(first, more)) {
            for (int i = 0; i < list.length; i += 2) {
                all.put(list[i], list[i + 1]);
            }
        }
        return all;
    }

    private Http.Answer whoami(String key, String from) {
        return http.get("/api/v1/whoami/", "X-API-Key", key, "X-Forwarded-For", from);
    }

    /** The audit event of the request answered so (by its request id). */
    private AuditEvent eventOf(Http.Answer answer) {
        final String requestId = answer.header("X-Request-Id");
        assertThat(requestId).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> !audit().matching(e -> requestId.equals(e.requestId())).isEmpty());
        return audit().matching(e -> requestId.equals(e.requestId())).get(0);
    }

    @Test
    void aKeyWithAllowedAddressesWorksOnlyFromThemAndElsewhereGetsTheOne401() {
        final JsonNode created = create(unique("tts"), "allowed_addresses", "10.0.0.0/8, 2001:db8::/32");
        final String key = created.get("key").asText();
        assertThat(created.get("api_key").get("allowed_addresses")).extracting(JsonNode::asText)
                .containsExactly("10.0.0.0/8", "2001:db8::/32");

        assertThat(whoami(key, "10.1.2.3").status()).isEqualTo(200);
        assertThat(whoami(key, "2001:db8:5::1").status()).isEqualTo(200);

        final Http.Answer unknown = whoami(UNKNOWN_KEY, "192.0.2.1");
        for (String elsewhere : List.of("192.0.2.1", "11.0.0.1", "2001:db9::1", "::ffff:192.0.2.1")) {
            final Http.Answer refused = whoami(key, elsewhere);
            assertThat(refused.status()).as(elsewhere).isEqualTo(401);
            assertThat(refused.body()).as(elsewhere).isEqualTo(unknown.body());
            assertThat(refused.header("WWW-Authenticate")).isEqualTo(unknown.header("WWW-Authenticate"));
            final AuditEvent event = eventOf(refused);
            assertThat(event.type()).isEqualTo(AuditEventTypes.API_KEY_REJECTED);
            assertThat(event.reason()).isEqualTo(AuditReasons.ADDRESS_NOT_ALLOWED);
            assertThat(event.keyId()).isEqualTo(created.get("api_key").get("id").asLong());
            assertThat(event.clientAddress()).isEqualTo(elsewhere.startsWith("::ffff:") ? "192.0.2.1" : elsewhere);
        }
    }

    @Test
    void updateApiKeyChangesAddressesNameAndScopesOnTheRunningServiceButNeverTheKey() {
        final JsonNode created = create(unique("hdts"));
        final String key = created.get("key").asText();
        final long id = created.get("api_key").get("id").asLong();
        assertThat(whoami(key, "192.0.2.7").status()).isEqualTo(200);
        audit().clear();

        final String renamed = unique("hdts-renamed");
        final JsonNode updated = admin.json("update-api-key", Map.of("id", Long.toString(id), "new_name", renamed,
                "scopes", "users:read", "allowed_addresses", "198.51.100.0/24"));
        assertThat(updated.get("action").asText()).isEqualTo("updated");
        assertThat(updated.get("api_key").get("name").asText()).isEqualTo(renamed);
        assertThat(updated.get("api_key").get("allowed_addresses")).extracting(JsonNode::asText)
                .containsExactly("198.51.100.0/24");
        assertThat(updated.get("api_key").get("prefix").asText()).isEqualTo(key.substring(0, 8));
        assertThat(updated.toString()).doesNotContain(key);

        // within the revocation delay: the old address is refused, the allowed one gets the new name and scope
        await().atMost(Duration.ofSeconds(5)).until(() -> whoami(key, "192.0.2.7").status() == 401);
        final JsonNode me = whoami(key, "198.51.100.20").json();
        assertThat(me.get("name").asText()).isEqualTo(renamed);
        assertThat(me.get("scopes")).extracting(JsonNode::asText).containsExactly("users:read");

        final List<AuditEvent> events = audit().matching(e -> e.type().equals(AuditEventTypes.API_KEY_UPDATED));
        assertThat(events).hasSize(1);
        assertThat(events.get(0).keyId()).isEqualTo(id);
        assertThat(events.get(0).keyName()).isEqualTo(renamed);
        assertThat(events.get(0).actor()).isNotBlank();
        assertThat(events.get(0).toString()).doesNotContain(key);

        // the same change again changes nothing and records nothing; '' opens the key to anywhere again
        admin.json("update-api-key", Map.of("id", Long.toString(id), "allowed_addresses", "198.51.100.0/24"));
        assertThat(audit().matching(e -> e.type().equals(AuditEventTypes.API_KEY_UPDATED))).hasSize(1);
        admin.json("update-api-key", Map.of("id", Long.toString(id), "allowed_addresses", ""));
        await().atMost(Duration.ofSeconds(5)).until(() -> whoami(key, "192.0.2.7").status() == 200);
    }

    @Test
    void rotationCopiesThePolicyToTheSuccessor() {
        final String name = unique("rotated");
        create(name, "allowed_addresses", "203.0.113.0/24", "rate_limit", "1000/1h");
        final JsonNode rotated = admin.json("rotate-api-key", Map.of("name", name));
        final JsonNode successor = rotated.get("api_key");
        assertThat(successor.get("allowed_addresses")).extracting(JsonNode::asText).containsExactly("203.0.113.0/24");
        assertThat(successor.get("rate_limit").asText()).isEqualTo("1000/1h");
        final String key = rotated.get("key").asText();
        assertThat(whoami(key, "203.0.113.5").status()).isEqualTo(200);
        assertThat(whoami(key, "192.0.2.5").status()).isEqualTo(401);
    }

    @Test
    void listApiKeysAndTheKeysApiShowThePolicy() {
        final String name = unique("listed");
        final long id = create(name, "allowed_addresses", "2001:DB8:0:0::/48", "rate_limit", "600/60s")
                .get("api_key").get("id").asLong();
        final String reader = create(unique("siem"), "scopes", "audit:read").get("key").asText();

        final JsonNode listed = admin.json("list-api-keys", Map.of()).get("api_keys");
        final JsonNode mine = java.util.stream.StreamSupport.stream(listed.spliterator(), false)
                .filter(k -> k.get("id").asLong() == id).findFirst().orElseThrow();
        assertThat(mine.get("allowed_addresses")).extracting(JsonNode::asText).containsExactly("2001:db8::/48");
        assertThat(mine.get("rate_limit").asText()).isEqualTo("600/1m");
        assertThat(admin.run("list-api-keys", Map.of()).body()).contains("2001:db8::/48").contains("600/1m");

        final JsonNode viaApi = http.get("/api/v1/keys/" + id + "/", "X-API-Key", reader, "X-Forwarded-For", "192.0.2.9")
                .json();
        assertThat(viaApi.get("allowed_addresses")).extracting(JsonNode::asText).containsExactly("2001:db8::/48");
        assertThat(viaApi.get("rate_limit").asText()).isEqualTo("600/1m");
        // a key without a policy: anywhere (empty), no limit (null)
        final JsonNode plain = http.get("/api/v1/keys/?name=siem", "X-API-Key", reader).json().get("keys").get(0);
        assertThat(plain.get("allowed_addresses")).isEmpty();
        assertThat(plain.get("rate_limit").isNull()).isTrue();
    }

    @Test
    void pastItsRateLimitAKeyIsAnswered429WithTheRateLimitHeadersAndAudited() {
        final JsonNode created = create(unique("limited"), "rate_limit", "3/1h");
        final String key = created.get("key").asText();
        final String from = "198.51.100.77";
        for (int i = 0; i < 3; i++) {
            final Http.Answer ok = whoami(key, from);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("RateLimit-Limit")).isEqualTo("3");
            assertThat(ok.header("RateLimit-Remaining")).isEqualTo(Integer.toString(2 - i));
            assertThat(Long.parseLong(ok.header("RateLimit-Reset"))).isBetween(1L, 3600L);
        }
        final Http.Answer limited = whoami(key, from);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Content-Type")).startsWith("application/json");
        assertThat(limited.json().get("code").asInt()).isEqualTo(429);
        assertThat(limited.json().get("message").asText()).contains("rate limit");
        // one request back every 20 minutes; the whole quota back within the hour
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 1200L);
        assertThat(limited.header("RateLimit-Limit")).isEqualTo("3");
        assertThat(limited.header("RateLimit-Remaining")).isEqualTo("0");
        assertThat(Long.parseLong(limited.header("RateLimit-Reset"))).isBetween(3000L, 3600L);
        final AuditEvent event = eventOf(limited);
        assertThat(event.type()).isEqualTo(AuditEventTypes.API_KEY_REJECTED);
        assertThat(event.reason()).isEqualTo(AuditReasons.RATE_LIMITED);
        assertThat(event.status()).isEqualTo(429);
        assertThat(event.keyId()).isEqualTo(created.get("api_key").get("id").asLong());

        // a good key going too fast is not a bad key: the address is not throttled for it
        final String other = create(unique("unlimited")).get("key").asText();
        for (int i = 0; i < 25; i++) {
            assertThat(whoami(key, from).status()).isEqualTo(429);
        }
        final Http.Answer unlimited = whoami(other, from);
        assertThat(unlimited.status()).isEqualTo(200);
        assertThat(unlimited.header("RateLimit-Limit")).as("a key without a limit gets no headers").isNull();

        // lifting the limit takes effect within the revocation delay
        admin.json("update-api-key", Map.of("id", created.get("api_key").get("id").asText(), "rate_limit", "none"));
        await().atMost(Duration.ofSeconds(5)).until(() -> whoami(key, from).status() == 200);
        assertThat(whoami(key, from).header("RateLimit-Limit")).isNull();
    }

    @Test
    void badPolicyInputIsA400WithTheJsonErrorBody() {
        final Map<String, Map<String, String>> cases = new LinkedHashMap<>();
        cases.put("not an address", Map.of("task", "create-api-key", "name", unique("bad"), "allowed_addresses", "10.0.0.0/8,example.com"));
        cases.put("host bits set", Map.of("task", "create-api-key", "name", unique("bad"), "allowed_addresses", "10.0.0.1/8"));
        cases.put("prefix too long", Map.of("task", "create-api-key", "name", unique("bad"), "allowed_addresses", "10.0.0.0/33"));
        cases.put("ipv6 prefix too long", Map.of("task", "create-api-key", "name", unique("bad"), "allowed_addresses", "2001:db8::/129"));
        cases.put("bad rate", Map.of("task", "create-api-key", "name", unique("bad"), "rate_limit", "abc/1m"));
        cases.put("bad period", Map.of("task", "create-api-key", "name", unique("bad"), "rate_limit", "10/often"));
        cases.put("zero rate", Map.of("task", "create-api-key", "name", unique("bad"), "rate_limit", "0/1m"));
        cases.put("nothing to change", Map.of("task", "update-api-key", "id", "1"));
        cases.put("bad update", Map.of("task", "update-api-key", "id", "1", "allowed_addresses", "300.0.0.0/8"));
        for (Map.Entry<String, Map<String, String>> c : cases.entrySet()) {
            final Map<String, String> params = new LinkedHashMap<>(c.getValue());
            final String task = params.remove("task");
            final AdminClient.Answer answer = admin.run(task, params);
            assertThat(answer.status()).as(c.getKey()).isEqualTo(400);
            assertThat(answer.contentType()).as(c.getKey()).startsWith("application/json");
            final JsonNode body = answer.json();
            assertThat(body.get("code").asInt()).as(c.getKey()).isEqualTo(400);
            assertThat(body.get("message").asText()).as(c.getKey()).isNotBlank();
        }
        final AdminClient.Answer unknown = admin.run("update-api-key", Map.of("id", "987654321", "rate_limit", "5/1s"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("message").asText()).contains("987654321");
    }
}
