package io.authservice.resources;

import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.core.ApiKeySecrets;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.authservice.testing.TestPeople;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole service with {@code apiKeys.format: prefixed}, a longest lifetime of 365 days and the
 * shipped expiry warning: new keys carry the prefix and work beside 40-hex keys, a typo is refused
 * without a lookup, a longer lifetime is refused with the JSON error, {@code list-api-keys
 * expiring=true} and the summary name the keys expiring soon, and a leaked key reported through the
 * API or the task is deactivated with the same answer whether or not it was ours.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class KeyFormatAndLeaksIntegrationTest {
    private static final TestDatabases.Db DB = TestDatabases.newH2(TestApps.tempDir());
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, config(DB, "test", "  format: prefixed", "  prefix: tts",
            "  maxLifetime: 365d"));

    private final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());
    private final Http http = new Http(APP.getLocalPort());

    /** The test config with {@code apiKeyLines} added to its {@code apiKeys} section. */
    static String config(TestDatabases.Db db, String instance, String... apiKeyLines) {
        final Path file = Path.of(TestApps.writeInstanceConfig(db, TestApps.tempDir(), instance, "200ms"));
        try {
            final String yaml = Files.readString(file);
            assertThat(yaml).contains("\napiKeys:\n");
            Files.writeString(file, yaml.replace("\napiKeys:\n", "\napiKeys:\n" + String.join("\n", apiKeyLines) + "\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file.toString();
    }

    private TestAuthServiceApplication app() {
        return APP.getApplication();
    }

    private JsonNode create(String name, String... more) {
        final Map<String, String> params = new java.util.HashMap<>(Map.of("name", name));
        for (int i = 0; i < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        return admin.json("create-api-key", params);
    }

    private int whoami(String key) {
        return http.get("/api/v1/whoami/", "X-API-Key", key).status();
    }

    @Test
    void newKeysArePrefixedAndWorkBesideFortyHexKeys() {
        final JsonNode created = create("prefixed-" + System.nanoTime());
        final String key = created.get("key").asText();
        final String hex = "c0ffee0123456789abcdef0123456789abcdef01";
        TestApps.importKey(DB, "hex-" + System.nanoTime(), hex, app().testClock());

        assertThat(key).matches(ApiKeySecrets.scannerPattern("tts")).startsWith("tts_");
        assertThat(created.get("api_key").get("prefix").asText()).isEqualTo(key.substring(4, 12));
        assertThat(whoami(key)).isEqualTo(200);
        assertThat(whoami(hex)).isEqualTo(200);
    }

    @Test
    void aPrefixedKeyWithATypoIsRefusedAsMalformedWithoutALookup() {
        final String key = create("typo-" + System.nanoTime()).get("key").asText();
        final char last = key.charAt(key.length() - 1);
        final String typo = key.substring(0, key.length() - 1) + (last == 'a' ? 'b' : 'a');
        final String swapped = key.substring(0, 10) + key.charAt(11) + key.charAt(10) + key.substring(12);
        final var counters = APP.getEnvironment().metrics().getCounters();
        final long before = counters.get("api-key-cache.hits").getCount() + counters.get("api-key-cache.misses").getCount();
        app().audit().clear();

        assertThat(whoami(typo)).isEqualTo(401);
        if (!swapped.equals(key)) {
            assertThat(whoami(swapped)).isEqualTo(401);
        }

        final long after = counters.get("api-key-cache.hits").getCount() + counters.get("api-key-cache.misses").getCount();
        assertThat(after).isEqualTo(before);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                app().audit().matching(e -> e.type().equals(AuditEventTypes.API_KEY_REJECTED)))
                .isNotEmpty().allSatisfy(event -> {
                    assertThat(event.reason()).isEqualTo(AuditReasons.MALFORMED);
                    assertThat(event.toString()).doesNotContain(typo);
                }));
        assertThat(whoami(key)).isEqualTo(200);
    }

    @Test
    void aKeyGetsTheLongestLifetimeAndALongerOneIsAJson400() {
        final Instant before = app().testClock().instant();
        final JsonNode created = create("lifetime-" + System.nanoTime());
        final AdminClient.Answer tooLong = admin.run("create-api-key",
                Map.of("name", "too-long", "expires_in", "400d", "format", "json"));

        assertThat(Instant.parse(created.get("api_key").get("expires_at").asText()))
                .isBetween(before.plus(Duration.ofDays(365)), app().testClock().instant().plus(Duration.ofDays(365)));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("code").asInt()).isEqualTo(400);
        assertThat(tooLong.json().get("message").asText())
                .isEqualTo("a key may live at most 365d (apiKeys.maxLifetime); asked for 400d");
    }

    @Test
    void keysExpiringWithinTheWarningAreListedByTheTaskAndTheSummary() {
        final JsonNode soon = create("expiring-" + System.nanoTime(), "expires_in", "3d");
        final JsonNode reader = create("reader-" + System.nanoTime(), "scopes", "audit:read");
        final long soonId = soon.get("api_key").get("id").asLong();

        final JsonNode listed = admin.json("list-api-keys", Map.of("expiring", "true"));
        final AdminClient.Answer bad = admin.run("list-api-keys", Map.of("expiring", "yes"));
        final Http.Answer summary = http.get("/api/v1/audit/summary/", "X-API-Key", reader.get("key").asText());

        assertThat(listed.get("api_keys")).extracting(node -> node.get("id").asLong()).containsExactly(soonId);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("message").asText()).isEqualTo("'expiring' must be true or false");
        assertThat(summary.status()).as(summary.body()).isEqualTo(200);
        assertThat(summary.json().get("expiry_warning_days").asInt()).isEqualTo(14);
        assertThat(summary.json().get("expiring_keys")).extracting(node -> node.get("key_id").asLong())
                .containsExactly(soonId);
    }

    @Test
    void aLeakedKeyReportedThroughTheApiIsDeactivatedAndTheAnswerIsTheSameForAnUnknownKey() {
        final String writer = create("writer-" + System.nanoTime(), "scopes", "keys:write").get("key").asText();
        final JsonNode victim = create("victim-" + System.nanoTime());
        final String leaked = victim.get("key").asText();
        final String unknown = new ApiKeySecrets(new java.security.SecureRandom(), ApiKeySecrets.Format.prefixed, "tts")
                .generate();
        assertThat(whoami(leaked)).isEqualTo(200);
        app().audit().clear();

        final Http.Answer found = http.post("/api/v1/keys/report-leaked/", "{\"key\":\"" + leaked + "\"}", "X-API-Key", writer);
        final Http.Answer notFound = http.post("/api/v1/keys/report-leaked/", "{\"key\":\"" + unknown + "\"}",
                "X-API-Key", writer);
        final Http.Answer again = http.post("/api/v1/keys/report-leaked/", "{\"key\":\"" + leaked + "\"}", "X-API-Key", writer);

        assertThat(found.status()).isEqualTo(202);
        assertThat(found.json().get("status").asText()).isEqualTo("received");
        assertThat(notFound.status()).isEqualTo(202);
        assertThat(notFound.body()).isEqualTo(found.body());
        assertThat(again.body()).isEqualTo(found.body());
        assertThat(found.body()).doesNotContain(leaked).doesNotContain(victim.get("api_key").get("name").asText());
        await().atMost(Duration.ofSeconds(5)).until(() -> whoami(leaked) == 401);
        final List<AuditEvent> reports = app().audit().matching(e -> e.type().equals(AuditEventTypes.API_KEY_LEAKED));
        assertThat(reports).hasSize(3);
        assertThat(reports.get(0).keyId()).isEqualTo(victim.get("api_key").get("id").asLong());
        assertThat(reports.get(0).actor()).startsWith("key:writer-");
        assertThat(reports.get(0).fingerprint()).hasSize(32);
        assertThat(reports.get(1).reason()).isEqualTo(AuditReasons.UNKNOWN);
        assertThat(app().audit().matching(e -> e.type().equals(AuditEventTypes.API_KEY_DEACTIVATED)))
                .singleElement().satisfies(event -> assertThat(event.actor()).startsWith("key:writer-"));
        assertThat(app().audit().events()).allSatisfy(event -> assertThat(event.toString()).doesNotContain(leaked));
    }

    @Test
    void onlySecurityPeopleAndKeysWithKeysWriteMayReportAndBadInputIsAJson400() {
        final String reader = create("plain-" + System.nanoTime()).get("key").asText();
        final String writer = create("writer2-" + System.nanoTime(), "scopes", "keys:write").get("key").asText();
        final String leaked = create("victim2-" + System.nanoTime()).get("key").asText();
        final TestPeople.Person security = TestPeople.create(admin, "security");
        final String token = TestPeople.accessToken(http, security.username());

        final Http.Answer forbidden = http.post("/api/v1/keys/report-leaked/", "{\"key\":\"" + leaked + "\"}", "X-API-Key", reader);
        final Http.Answer anonymous = http.post("/api/v1/keys/report-leaked/", "{\"key\":\"" + leaked + "\"}");
        // the last character dropped (the first dropped would leave a well-formed key under the prefix "ts")
        final String truncated = leaked.substring(0, leaked.length() - 1);
        final Http.Answer malformed = http.post("/api/v1/keys/report-leaked/", "{\"key\":\"" + truncated + "\"}",
                "X-API-Key", writer);
        final Http.Answer empty = http.post("/api/v1/keys/report-leaked/", "{}", "X-API-Key", writer);
        final Http.Answer unknownField = http.post("/api/v1/keys/report-leaked/", "{\"key\":\"" + leaked + "\",\"x\":1}",
                "X-API-Key", writer);
        assertThat(whoami(leaked)).isEqualTo(200);
        final Http.Answer person = http.post("/api/v1/keys/report-leaked/", "{\"key\":\"" + leaked + "\"}",
                "Authorization", "Bearer " + token);

        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(anonymous.status()).isEqualTo(401);
        for (Http.Answer answer : List.of(malformed, empty, unknownField)) {
            assertThat(answer.status()).as(answer.body()).isEqualTo(400);
            assertThat(answer.json().get("code").asInt()).isEqualTo(400);
            assertThat(answer.json().get("message").asText()).isNotEmpty();
            assertThat(answer.body()).doesNotContain(truncated);
        }
        assertThat(person.status()).as(person.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> whoami(leaked) == 401);
        assertThat(app().audit().matching(e -> e.type().equals(AuditEventTypes.API_KEY_LEAKED)
                && security.username().equals(e.actor()))).hasSize(1);
    }

    @Test
    void theReportLeakedKeyTaskTakesTheKeyFromAJsonBody() {
        final String leaked = create("victim3-" + System.nanoTime()).get("key").asText();

        final AdminClient.Answer reported = admin.run("report-leaked-key", Map.of("format", "json"), TestApps.ADMIN_TOKEN,
                "{\"key\":\"" + leaked + "\"}");
        final AdminClient.Answer unknown = admin.run("report-leaked-key", Map.of("format", "json"), TestApps.ADMIN_TOKEN,
                "{\"key\":\"" + "0".repeat(40) + "\"}");
        final AdminClient.Answer asParameter = admin.run("report-leaked-key", Map.of("key", leaked, "format", "json"));

        assertThat(reported.status()).as(reported.body()).isEqualTo(200);
        assertThat(unknown.body()).isEqualTo(reported.body());
        assertThat(asParameter.status()).isEqualTo(400);
        assertThat(asParameter.body()).doesNotContain(leaked);
        await().atMost(Duration.ofSeconds(5)).until(() -> whoami(leaked) == 401);
        assertThat(app().audit().matching(e -> e.type().equals(AuditEventTypes.API_KEY_LEAKED)
                && io.authservice.core.Actor.TASK.equals(e.surface()))).hasSize(2);
    }

}
