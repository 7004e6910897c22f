package io.authservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.observability.testing.PrometheusText;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator sees of a request: its id (taken from {@code X-Request-Id} when sane, else made)
 * on every answer, in the audit event and in the log lines and request log, in both log formats;
 * and the metrics in the Prometheus text format on the admin port.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ObservabilityIntegrationTest {
    private static final Path DIR = TestApps.tempDir();
    private static final Path APP_JSON = DIR.resolve("app.json.log");
    private static final Path APP_TEXT = DIR.resolve("app.text.log");
    private static final Path REQUESTS_JSON = DIR.resolve("requests.json.log");
    private static final Path REQUESTS_TEXT = DIR.resolve("requests.text.log");

    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class,
            TestApps.writeConfigWithLogs(TestDatabases.newH2(DIR), DIR,
                    "[" + fileAppender(REQUESTS_JSON, "{type: access-json, responseHeaders: [X-Request-Id]}") + ", "
                            + fileAppender(REQUESTS_TEXT, "{type: access-text, responseHeaders: [X-Request-Id]}") + "]",
                    String.join("\n",
                            "logging:",
                            "  level: WARN",
                            // the audit logger writes one line per event, on the request's thread
                            "  loggers: {audit: INFO}",
                            "  appenders:",
                            "    - " + fileAppender(APP_JSON, "{type: json}"),
                            "    - " + fileAppender(APP_TEXT, "{type: text}")),
                    "audit: {sink: log}",
                    "throttle: {maxFailures: 2, window: 1m}",
                    "clientAddress: {trustedProxies: [127.0.0.1, '::1']}"));

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());
    private final Http http = new Http(APP.getLocalPort());

    private static String fileAppender(Path file, String layout) {
        return "{type: file, currentLogFilename: \"" + file + "\", archive: false, layout: " + layout + "}";
    }

    @Test
    void aSaneRequestIdIsEchoedAndCarriedIntoTheAuditEventAndBothLogFormats() {
        final String key = newKey("request-id-given");
        final String id = "given-" + UUID.randomUUID();

        final Http.Answer answer = http.get("/api/v1/whoami/", "X-API-Key", key, "X-Request-Id", id);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("X-Request-Id")).isEqualTo(id);
        assertThat(auditEventOf(id).type()).isEqualTo(AuditEventTypes.API_KEY_USED);

        // json: every line one object; the audit logger's line carries the id from the MDC
        await().atMost(Duration.ofSeconds(10)).until(() -> jsonLines(APP_JSON).stream()
                .anyMatch(line -> id.equals(line.path("mdc").path("requestId").asText())));
        final JsonNode logged = jsonLines(APP_JSON).stream()
                .filter(line -> id.equals(line.path("mdc").path("requestId").asText())).findFirst().orElseThrow();
        assertThat(logged.get("logger").asText()).isEqualTo("audit");
        assertThat(logged.get("level").asText()).isEqualTo("INFO");
        assertThat(logged.get("message").asText()).contains(AuditEventTypes.API_KEY_USED).doesNotContain(key);
        // text: the same line with the id after the time
        await().atMost(Duration.ofSeconds(10)).until(() -> lines(APP_TEXT).stream()
                .anyMatch(line -> line.matches("INFO  \\[[^]]+] \\[" + Pattern.quote(id) + "] audit: .*")));

        // the request log, in both formats, names the id it answered with
        await().atMost(Duration.ofSeconds(10)).until(() -> jsonLines(REQUESTS_JSON).stream()
                .anyMatch(line -> id.equals(line.path("responseHeaders").path("X-Request-Id").asText())));
        final JsonNode request = jsonLines(REQUESTS_JSON).stream()
                .filter(line -> id.equals(line.path("responseHeaders").path("X-Request-Id").asText())).findFirst().orElseThrow();
        assertThat(request.get("uri").asText()).isEqualTo("/api/v1/whoami/");
        assertThat(request.get("status").asInt()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> lines(REQUESTS_TEXT).stream()
                .anyMatch(line -> line.contains("\"GET /api/v1/whoami/ HTTP/1.1\" 200 ") && line.endsWith(" " + id)));
        // requests on the admin port have no id: "-"
        assertThat(lines(REQUESTS_TEXT)).filteredOn(line -> line.contains("POST /tasks/create-api-key"))
                .isNotEmpty().allSatisfy(line -> assertThat(line).endsWith(" -"));
    }

    @Test
    void anInsaneRequestIdIsReplacedNeverEchoed() {
        final String key = newKey("request-id-bad");
        for (String bad : List.of("a".repeat(129), "two words", "x\"}{", "<script>alert(1)</script>")) {
            final Http.Answer answer = http.get("/api/v1/whoami/", "X-API-Key", key, "X-Request-Id", bad);
            assertThat(answer.status()).isEqualTo(200);
            final String replaced = answer.header("X-Request-Id");
            assertThat(replaced).isNotEqualTo(bad);
            assertThat(UUID.fromString(replaced).version()).isEqualTo(4);
            assertThat(auditEventOf(replaced).keyName()).isEqualTo("request-id-bad");
        }
    }

    @Test
    void aRequestWithoutAnIdGetsANewOneEachTime() {
        final String key = newKey("request-id-absent");
        final String first = http.get("/api/v1/whoami/", "X-API-Key", key).header("X-Request-Id");
        final String second = http.get("/api/v1/whoami/", "X-API-Key", key).header("X-Request-Id");
        assertThat(UUID.fromString(first).version()).isEqualTo(4);
        assertThat(second).isNotEqualTo(first);
        assertThat(auditEventOf(first).keyName()).isEqualTo("request-id-absent");
        assertThat(auditEventOf(second).keyName()).isEqualTo("request-id-absent");
    }

    @Test
    void everyRefusalCarriesTheIdAndSoDoesItsAuditEvent() {
        final String id401 = "refused-401-" + UUID.randomUUID();
        final Http.Answer unknown = http.get("/api/v1/whoami/", "X-API-Key", "0".repeat(40), "X-Request-Id", id401,
                "X-Forwarded-For", "198.51.100.40");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.header("X-Request-Id")).isEqualTo(id401);
        assertThat(unknown.json().get("code").asInt()).isEqualTo(401);
        assertThat(auditEventOf(id401).reason()).isEqualTo(AuditReasons.UNKNOWN);

        final Http.Answer none = http.get("/api/v1/whoami/", "X-Request-Id", "refused-no-credential");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("X-Request-Id")).isEqualTo("refused-no-credential");

        final String id403 = "refused-403-" + UUID.randomUUID();
        final Http.Answer scope = http.get("/test/scoped", "X-API-Key", newKey("request-id-scope"), "X-Request-Id", id403);
        assertThat(scope.status()).isEqualTo(403);
        assertThat(scope.header("X-Request-Id")).isEqualTo(id403);
        assertThat(auditEventOf(id403).reason()).isEqualTo(AuditReasons.INSUFFICIENT_SCOPE);

        // the throttle answers before any lookup; its 429 and event still carry the id
        final String client = "198.51.100.42";
        for (int i = 0; i < 2; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", String.format("%040x", i), "X-Forwarded-For", client).status())
                    .isEqualTo(401);
        }
        final String id429 = "refused-429-" + UUID.randomUUID();
        final Http.Answer throttled = http.get("/api/v1/whoami/", "X-API-Key", "f".repeat(40), "X-Forwarded-For", client,
                "X-Request-Id", id429);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("X-Request-Id")).isEqualTo(id429);
        assertThat(auditEventOf(id429).reason()).isEqualTo(AuditReasons.THROTTLED);

        final Http.Answer missing = http.get("/api/v1/no-such-thing", "X-Request-Id", "refused-404");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("X-Request-Id")).isEqualTo("refused-404");

        // a failed sign-in and a rejected token are recorded with the request's id too
        final String idLogin = "login-" + UUID.randomUUID();
        final Http.Answer login = http.post("/api/v1/token/", "{\"username\":\"nobody\",\"password\":\"wrong-password\"}",
                "X-Request-Id", idLogin, "X-Forwarded-For", "198.51.100.43");
        assertThat(login.status()).isEqualTo(401);
        assertThat(login.header("X-Request-Id")).isEqualTo(idLogin);
        assertThat(auditEventOf(idLogin).type()).isEqualTo(AuditEventTypes.LOGIN_FAILED);

        final String idToken = "token-" + UUID.randomUUID();
        final Http.Answer token = http.get("/api/v1/whoami/", "Authorization", "Bearer not.a.token", "X-Request-Id", idToken);
        assertThat(token.status()).isEqualTo(401);
        assertThat(token.header("X-Request-Id")).isEqualTo(idToken);
        assertThat(auditEventOf(idToken).type()).isEqualTo(AuditEventTypes.TOKEN_REJECTED);
    }

    @Test
    void theAdminPortServesTheMetricsInThePrometheusTextFormatWithoutTheAdminToken() {
        final String key = newKey("prometheus");
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);

        final Http.Answer scrape = new Http(APP.getAdminPort()).get("/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        final Map<String, Double> samples = PrometheusText.unlabelledSamples(scrape.body());
        assertThat(samples.get("auth_api_key_used_total")).isGreaterThanOrEqualTo(1);
        // the revocation poller drops the entry when it sees the key's creation, and the cache counts an entry only
        // once its (asynchronous) maintenance has run: use the key again until the gauge shows it cached
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
            assertThat(PrometheusText.unlabelledSamples(new Http(APP.getAdminPort()).get("/prometheus").body())
                    .get("api_key_cache_size")).isGreaterThanOrEqualTo(1);
        });
        assertThat(samples.get("io_dropwizard_jetty_MutableServletContextHandler_requests_count")).isGreaterThanOrEqualTo(1);
        assertThat(samples.get("io_dropwizard_jetty_MutableServletContextHandler_2xx_responses_total")).isGreaterThanOrEqualTo(1);
        assertThat(scrape.body()).contains("# TYPE io_dropwizard_jetty_MutableServletContextHandler_requests summary\n");

        // tasks stay guarded
        assertThat(new Http(APP.getAdminPort()).post("/tasks/gc", null).status()).isEqualTo(401);
    }

    private String newKey(String name) {
        return admin.json("create-api-key", Map.of("name", name)).get("key").asText();
    }

    private static AuditEvent auditEventOf(String requestId) {
        final var audit = ((TestAuthServiceApplication) APP.getApplication()).audit();
        await().atMost(Duration.ofSeconds(5)).until(() -> audit.matching(e -> requestId.equals(e.requestId())).size() == 1);
        return audit.matching(e -> requestId.equals(e.requestId())).get(0);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every line of {@code file}, each of which must be one JSON object. */
    private static List<JsonNode> jsonLines(Path file) {
        return lines(file).stream().map(line -> {
            try {
                final JsonNode node = JSON.readTree(line);
                assertThat(node.isObject()).as(line).isTrue();
                return node;
            } catch (IOException e) {
                throw new AssertionError("not one JSON object: " + line, e);
            }
        }).toList();
    }
}
