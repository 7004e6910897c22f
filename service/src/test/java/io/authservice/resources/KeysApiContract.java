package io.authservice.resources;

import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEventTypes;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestPeople;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The keys API through the running service on a real database: listing and reading keys without
 * their secrets, the filters, deactivating a key (then refused on its next use, audited with the
 * caller as actor), the cross-site check on a cookie-authenticated deactivation, bad input as 400
 * JSON, and who may do what. Each test makes its own keys and people under names of its own.
 */
abstract class KeysApiContract {
    protected abstract DropwizardAppExtension<AuthServiceConfiguration> app();

    private AdminClient admin;
    private Http http;
    private String reader;

    @BeforeEach
    void setUp() {
        admin = new AdminClient(app().client(), app().getAdminPort());
        http = new Http(app().getLocalPort());
        reader = createKey(unique("siem"), "audit:read").value();
    }

    @Test
    void aKeyIsListedAndReadWithoutItsSecret() {
        final String name = unique("listed");
        final Created key = createKey(name, "users:read,employees:read");

        final JsonNode listed = keysWhere("name=" + name);
        assertThat(listed).singleElement().satisfies(view -> {
            assertThat(view.get("id").asLong()).isEqualTo(key.id());
            assertThat(view.get("name").asText()).isEqualTo(name);
            assertThat(view.get("prefix").asText()).isEqualTo(key.value().substring(0, 8));
            assertThat(texts(view.get("scopes"))).containsExactly("employees:read", "users:read");
            assertThat(view.get("status").asText()).isEqualTo("active");
            assertThat(view.get("last_used_at").isNull()).isTrue();
        });
        final Http.Answer one = http.get("/api/v1/keys/" + key.id() + "/", "X-API-Key", reader);
        assertThat(one.status()).as(one.body()).isEqualTo(200);
        assertThat(one.json()).isEqualTo(listed.get(0));

        // never the key, never its hash, under any field
        final String all = http.get("/api/v1/keys/", "X-API-Key", reader).body();
        assertThat(all).doesNotContain(key.value()).doesNotContain(key.value().substring(8));
        assertThat(one.json().has("hash")).isFalse();
        assertThat(one.json().has("key")).isFalse();
    }

    @Test
    void theListIsNewestFirstAndFiltered() {
        final String family = unique("family");
        final Created older = createKey(family + "-a", null);
        final Created expiring = createKey(family + "-b", null, "expires_in", "3d");
        final Created inactive = createKey(family + "-c", null);
        assertThat(admin.run("deactivate-api-key", Map.of("id", Long.toString(inactive.id()))).status()).isEqualTo(200);

        assertThat(ids(keysWhere("name=" + family))).containsExactly(inactive.id(), expiring.id(), older.id());
        assertThat(ids(keysWhere("name=" + family.toUpperCase() + "&status=active"))).containsExactly(expiring.id(), older.id());
        assertThat(ids(keysWhere("name=" + family + "&status=inactive"))).containsExactly(inactive.id());
        assertThat(ids(keysWhere("name=" + family + "&expiring_within_days=7"))).containsExactly(expiring.id());
        assertThat(ids(keysWhere("name=" + family + "&expiring_within_days=2"))).isEmpty();
        assertThat(ids(keysWhere("name=" + family + "&unused_days=30"))).containsExactly(expiring.id(), older.id());
    }

    @Test
    void aDeactivatedKeyIsRefusedNextAndTheChangeIsAuditedWithThePerson() {
        final Created key = createKey(unique("leaked"), null);
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", key.value()).status()).isEqualTo(200);
        final String person = createUser("security");
        final String token = signIn(person).access();

        final Http.Answer answer = http.post("/api/v1/keys/" + key.id() + "/deactivate/", "{}",
                "Authorization", "Bearer " + token);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.json().get("status").asText()).isEqualTo("inactive");
        assertThat(answer.json().get("is_active").asBoolean()).isFalse();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(http.get("/api/v1/whoami/", "X-API-Key", key.value()).status()).isEqualTo(401));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            final JsonNode events = http.get("/api/v1/audit/events/?type=" + AuditEventTypes.API_KEY_DEACTIVATED
                    + "&key_id=" + key.id(), "X-API-Key", reader).json().get("events");
            assertThat(events).singleElement().satisfies(event -> {
                assertThat(event.get("actor").asText()).isEqualTo(person);
                assertThat(event.get("surface").asText()).isEqualTo("api");
            });
        });

        // again: answered as it is, nothing changes, no second event
        final Http.Answer again = http.post("/api/v1/keys/" + key.id() + "/deactivate/", "{}", "X-API-Key",
                createKey(unique("playbook"), "keys:write").value());
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("deactivated_at")).isEqualTo(answer.json().get("deactivated_at"));
    }

    @Test
    void aPlaybookKeyWithKeysWriteDeactivatesAndIsTheActor() {
        final Created key = createKey(unique("victim"), null);
        final String playbookName = unique("playbook");
        final Created playbook = createKey(playbookName, "keys:write");

        final Http.Answer answer = http.post("/api/v1/keys/" + key.id() + "/deactivate/", "{}", "X-API-Key", playbook.value());
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            final JsonNode events = http.get("/api/v1/audit/events/?type=" + AuditEventTypes.API_KEY_DEACTIVATED
                    + "&key_id=" + key.id(), "X-API-Key", reader).json().get("events");
            assertThat(events).singleElement().satisfies(event ->
                    assertThat(event.get("actor").asText()).isEqualTo("key:" + playbookName + "#" + playbook.id()));
        });
    }

    @Test
    void aCrossSiteDeactivationWithTheSessionCookiesIsRefused() {
        final Created key = createKey(unique("kept"), null);
        final String cookies = signIn(createUser("admin")).cookieHeader();
        final String path = "/api/v1/keys/" + key.id() + "/deactivate/";

        final Http.Answer otherSite = http.post(path, "{}", "Cookie", cookies, "Origin", "https://evil.example");
        assertThat(otherSite.status()).isEqualTo(403);
        assertThat(otherSite.json().get("code").asInt()).isEqualTo(403);
        final Http.Answer form = http.post(path, null, "Cookie", cookies, "Content-Type", "text/plain");
        assertThat(form.status()).isEqualTo(415);
        assertThat(http.get("/api/v1/keys/" + key.id() + "/", "X-API-Key", reader).json().get("status").asText())
                .isEqualTo("active");

        final Http.Answer sameSite = http.post(path, "{}", "Cookie", cookies,
                "Origin", "http://127.0.0.1:" + app().getLocalPort());
        assertThat(sameSite.status()).as(sameSite.body()).isEqualTo(200);
        assertThat(sameSite.json().get("status").asText()).isEqualTo("inactive");
    }

    @Test
    void whoMayReadAndWhoMayDeactivate() {
        final Created key = createKey(unique("guarded"), null);
        final Created plain = createKey(unique("plain"), null);
        final String agent = signIn(createUser("agent")).access();
        final String security = signIn(createUser("security")).access();
        final String one = "/api/v1/keys/" + key.id() + "/";

        assertThat(http.get("/api/v1/keys/", "Authorization", "Bearer " + security).status()).isEqualTo(200);
        assertThat(http.get(one, "X-API-Key", plain.value()).status()).isEqualTo(403);
        assertThat(http.get(one, "Authorization", "Bearer " + agent).status()).isEqualTo(403);
        final Http.Answer anonymous = http.get(one);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().get("code").asInt()).isEqualTo(401);

        // audit:read reads, it does not deactivate; people without the role neither
        assertThat(http.post(one + "deactivate/", "{}", "X-API-Key", reader).status()).isEqualTo(403);
        assertThat(http.post(one + "deactivate/", "{}", "Authorization", "Bearer " + agent).status()).isEqualTo(403);
        assertThat(http.post(one + "deactivate/", "{}").status()).isEqualTo(401);
        assertThat(http.get(one, "X-API-Key", reader).json().get("status").asText()).isEqualTo("active");
    }

    @Test
    void badInputIs4xxWithTheReasonInJson() {
        final Map<String, String> cases = Map.of(
                "/api/v1/keys/?status=revoked", "'status': 'revoked' is not one of active, inactive, expired, all",
                "/api/v1/keys/?expiring_within_days=soon", "'expiring_within_days': 'soon' is not a whole number of days from 1 to 3650",
                "/api/v1/keys/?limit=5", "unknown parameter 'limit'; known: expiring_within_days, name, status, unused_days",
                "/api/v1/keys/abc/", "key id must be a positive integer, not 'abc'");
        cases.forEach((path, message) -> {
            final Http.Answer answer = http.get(path, "X-API-Key", reader);
            assertThat(answer.status()).as(path).isEqualTo(400);
            assertThat(answer.header("Content-Type")).as(path).startsWith("application/json");
            assertThat(answer.json().get("message").asText()).as(path).isEqualTo(message);
        });
        final Http.Answer unknown = http.get("/api/v1/keys/987654321/", "X-API-Key", reader);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("code").asInt()).isEqualTo(404);
        final String writer = createKey(unique("writer"), "keys:write").value();
        assertThat(http.post("/api/v1/keys/987654321/deactivate/", "{}", "X-API-Key", writer).status()).isEqualTo(404);
        final Http.Answer notJson = http.post("/api/v1/keys/1/deactivate/", null, "X-API-Key", writer,
                "Content-Type", "text/plain");
        assertThat(notJson.status()).isEqualTo(415);
        assertThat(notJson.json().get("code").asInt()).isEqualTo(415);
    }

    @Test
    void aPlaybookKeyChangesAKeyAndTheNextRequestSeesIt() {
        final String name = unique("service");
        final Created key = createKey(name, "users:read");
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", key.value()).status()).isEqualTo(200);
        final String playbookName = unique("playbook");
        final Created playbook = createKey(playbookName, "keys:write");
        final String one = "/api/v1/keys/" + key.id() + "/";

        final Http.Answer fenced = http.patch(one, "{\"scopes\": [\"employees:read\", \"users:read\"],"
                + " \"allowed_addresses\": [\"192.0.2.0/24\", \"2001:db8::/32\"], \"rate_limit\": \"600/1m\"}",
                "X-API-Key", playbook.value());
        assertThat(fenced.status()).as(fenced.body()).isEqualTo(200);
        assertThat(texts(fenced.json().get("scopes"))).containsExactly("employees:read", "users:read");
        assertThat(texts(fenced.json().get("allowed_addresses"))).containsExactly("192.0.2.0/24", "2001:db8::/32");
        assertThat(fenced.json().get("rate_limit").asText()).isEqualTo("600/1m");
        assertThat(fenced.json().get("name").asText()).isEqualTo(name);
        assertThat(fenced.body()).doesNotContain(key.value());
        // the test calls from 127.0.0.1, outside the ranges: refused as any bad key
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(http.get("/api/v1/whoami/", "X-API-Key", key.value()).status()).isEqualTo(401));

        final Http.Answer opened = http.patch(one, "{\"allowed_addresses\": [], \"rate_limit\": \"none\"}",
                "X-API-Key", playbook.value());
        assertThat(opened.status()).as(opened.body()).isEqualTo(200);
        assertThat(opened.json().get("allowed_addresses")).isEmpty();
        assertThat(opened.json().get("rate_limit").isNull()).isTrue();
        assertThat(texts(opened.json().get("scopes"))).containsExactly("employees:read", "users:read");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(http.get("/api/v1/whoami/", "X-API-Key", key.value()).status()).isEqualTo(200));
        final JsonNode read = http.get(one, "X-API-Key", reader).json();
        assertThat(read.get("allowed_addresses")).isEqualTo(opened.json().get("allowed_addresses"));
        assertThat(read.get("rate_limit")).isEqualTo(opened.json().get("rate_limit"));
        assertThat(read.get("scopes")).isEqualTo(opened.json().get("scopes"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            final JsonNode events = http.get("/api/v1/audit/events/?type=" + AuditEventTypes.API_KEY_UPDATED
                    + "&key_id=" + key.id(), "X-API-Key", reader).json().get("events");
            assertThat(events).hasSize(2).allSatisfy(event -> {
                assertThat(event.get("actor").asText()).isEqualTo("key:" + playbookName + "#" + playbook.id());
                assertThat(event.get("surface").asText()).isEqualTo("api");
            });
        });
    }

    @Test
    void whoMayChangeAKey() {
        final String name = unique("guarded");
        final Created key = createKey(name, null);
        final String agent = signIn(createUser("agent")).access();
        final String person = createUser("security");
        final String security = signIn(person).access();
        final String one = "/api/v1/keys/" + key.id() + "/";
        final String rename = "{\"name\": \"" + unique("renamed") + "\"}";

        assertThat(http.patch(one, rename, "X-API-Key", reader).status()).isEqualTo(403);
        assertThat(http.patch(one, rename, "Authorization", "Bearer " + agent).status()).isEqualTo(403);
        final Http.Answer anonymous = http.patch(one, rename);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().get("code").asInt()).isEqualTo(401);
        final String cookies = signIn(createUser("admin")).cookieHeader();
        final Http.Answer otherSite = http.patch(one, rename, "Cookie", cookies, "Origin", "https://evil.example");
        assertThat(otherSite.status()).isEqualTo(403);
        assertThat(http.get(one, "X-API-Key", reader).json().get("name").asText()).isEqualTo(name);

        final Http.Answer bySecurity = http.patch(one, rename, "Authorization", "Bearer " + security);
        assertThat(bySecurity.status()).as(bySecurity.body()).isEqualTo(200);
        assertThat(bySecurity.json().get("name").asText()).isNotEqualTo(name);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            final JsonNode events = http.get("/api/v1/audit/events/?type=" + AuditEventTypes.API_KEY_UPDATED
                    + "&key_id=" + key.id(), "X-API-Key", reader).json().get("events");
            assertThat(events).singleElement().satisfies(event -> assertThat(event.get("actor").asText()).isEqualTo(person));
        });
    }

    @Test
    void badChangesAre4xxWithTheReasonInJson() {
        final String name = unique("target");
        final Created key = createKey(name, null);
        final String writer = createKey(unique("writer"), "keys:write").value();
        final String one = "/api/v1/keys/" + key.id() + "/";
        final Map<String, String> cases = Map.of(
                "{}", "nothing to change",
                "{\"key\": \"0123456789abcdef0123456789abcdef01234567\"}", "unknown field 'key'",
                "{\"scopes\": \"users:read\"}", "'scopes'",
                "{\"scopes\": []}", "'scopes' must name at least one scope",
                "{\"scopes\": [\"root\"]}", "root",
                "{\"allowed_addresses\": [\"10.0.0.0/99\"]}", "10.0.0.0/99",
                "{\"allowed_addresses\": [null]}", "'allowed_addresses' must be a list of strings",
                "{\"rate_limit\": \"lots\"}", "lots",
                "{\"name\": 7}", "'name' must be a string",
                "not json", "not valid JSON");
        cases.forEach((body, message) -> {
            final Http.Answer answer = http.patch(one, body, "X-API-Key", writer);
            assertThat(answer.status()).as(body + ": " + answer.body()).isEqualTo(400);
            assertThat(answer.header("Content-Type")).as(body).startsWith("application/json");
            assertThat(answer.json().get("code").asInt()).as(body).isEqualTo(400);
            assertThat(answer.json().get("message").asText()).as(body).contains(message);
        });
        assertThat(http.patch("/api/v1/keys/abc/", "{\"name\": \"x\"}", "X-API-Key", writer).status()).isEqualTo(400);
        final Http.Answer unknown = http.patch("/api/v1/keys/987654321/", "{\"name\": \"x\"}", "X-API-Key", writer);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("code").asInt()).isEqualTo(404);
        final Http.Answer notJson = http.patch(one, "{\"name\": \"x\"}", "X-API-Key", writer, "Content-Type", "text/plain");
        assertThat(notJson.status()).isEqualTo(415);
        // nothing changed
        final JsonNode after = http.get(one, "X-API-Key", reader).json();
        assertThat(after.get("name").asText()).isEqualTo(name);
        assertThat(texts(after.get("scopes"))).isNotEmpty().doesNotContain("root");
    }

    private JsonNode keysWhere(String query) {
        final Http.Answer answer = http.get("/api/v1/keys/?" + query, "X-API-Key", reader);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().get("keys");
    }

    private static List<Long> ids(JsonNode keys) {
        final List<Long> ids = new ArrayList<>();
        keys.forEach(k -> ids.add(k.get("id").asLong()));
        return ids;
    }

    private static List<String> texts(JsonNode array) {
        final List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private record Created(long id, String value) {
    }

    private record Session(String access, String cookieHeader) {
    }

    private Created createKey(String name, String scopes, String... more) {
        final Map<String, String> params = new java.util.HashMap<>(Map.of("name", name));
        if (scopes != null) {
            params.put("scopes", scopes);
        }
        for (int i = 0; i < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        final JsonNode created = admin.json("create-api-key", params);
        return new Created(created.get("api_key").get("id").asLong(), created.get("key").asText());
    }

    private String createUser(String role) {
        return TestPeople.create(admin, role).username();
    }

    private Session signIn(String username) {
        final Http.Answer answer = TestPeople.signIn(http, username);
        final String cookies = answer.cookies().stream().map(c -> c.substring(0, c.indexOf(';')))
                .collect(Collectors.joining("; "));
        return new Session(answer.json().get("access").asText(), cookies);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
