package io.authservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Credentials sent in a URL (refused, as they should be) or in a header never reach the request log,
 * in either layout: the values of credential-named query parameters, any 40-hex value anywhere in
 * the URI, and the credential headers a JSON layout is told to log are written as {@code REDACTED};
 * the rest of the URL is kept.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RequestLogRedactionIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = TestApps.tempDir();
    private static final Path REQUESTS_JSON = DIR.resolve("requests.json.log");
    private static final Path REQUESTS_TEXT = DIR.resolve("requests.text.log");

    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class,
            TestApps.writeConfigWithLogs(TestDatabases.newH2(DIR), DIR,
                    "[" + fileAppender(REQUESTS_JSON, "{type: access-json, responseHeaders: [X-Request-Id], "
                            + "requestHeaders: [X-API-Key, Authorization, User-Agent], includes: [requestUri, requestUrl, "
                            + "pathQuery, requestParameters, statusCode, method]}") + ", "
                            + fileAppender(REQUESTS_TEXT, "{type: access-text, responseHeaders: [X-Request-Id]}") + "]",
                    String.join("\n", "logging:", "  level: WARN", "  loggers: {audit: \"OFF\"}",
                            "  appenders: [{type: console, target: stderr}]"),
                    "audit: {sink: log}"));

    private final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());
    private final Http http = new Http(APP.getLocalPort());

    @Test
    void aValidKeyInTheQueryStringIsRefusedAndNotLoggedInEitherLayout() {
        final String key = admin.json("create-api-key", Map.of("name", "in-the-url")).get("key").asText();
        final String id = "redact-" + UUID.randomUUID();

        assertThat(http.get("/api/v1/users/internal/1/?api_key=" + key, "X-Request-Id", id).status()).isEqualTo(401);

        final String text = textLine(id);
        assertThat(text).doesNotContain(key).contains("GET /api/v1/users/internal/1/?api_key=REDACTED HTTP/1.1\" 401 ");
        final JsonNode json = jsonLine(id);
        assertThat(json.toString()).doesNotContain(key);
        assertThat(json.get("url").asText()).isEqualTo("GET /api/v1/users/internal/1/?api_key=REDACTED HTTP/1.1");
        assertThat(json.get("pathQuery").asText()).isEqualTo("/api/v1/users/internal/1/?api_key=REDACTED");
        assertThat(json.get("params").get("api_key").get(0).asText()).isEqualTo("REDACTED");
    }

    @Test
    void everyCredentialNameInAnyCaseAndEveryFortyHexValueAnywhereIsRedactedTheRestKept() {
        final String hex = "0123456789abcdef0123456789ABCDEF01234567";
        final String query = "APIKEY=s1&key=s2&X-Api-Key=s3&Token=s4&access_token=s5&refresh=s6&refresh_token=s7"
                + "&PassWord=s8&q=" + hex + "&page=2&api%5Fkey=s9";
        final String id = "redact-names-" + UUID.randomUUID();

        http.get("/api/v1/users/internal/" + hex + "/?" + query, "X-Request-Id", id);

        final String redactedQuery = "APIKEY=REDACTED&key=REDACTED&X-Api-Key=REDACTED&Token=REDACTED"
                + "&access_token=REDACTED&refresh=REDACTED&refresh_token=REDACTED&PassWord=REDACTED&q=REDACTED&page=2"
                + "&api%5Fkey=REDACTED";
        for (String logged : List.of(textLine(id), jsonLine(id).toString())) {
            assertThat(logged).doesNotContain(hex).doesNotContain(hex.toLowerCase())
                    .doesNotContainPattern("=s[0-9]")
                    .contains("/api/v1/users/internal/REDACTED/?" + redactedQuery);
        }
    }

    @Test
    void credentialHeadersAJsonLayoutIsToldToLogAreRedacted() {
        final String key = admin.json("create-api-key", Map.of("name", "in-a-header")).get("key").asText();
        final String id = "redact-headers-" + UUID.randomUUID();

        assertThat(http.get("/api/v1/whoami/", "X-API-Key", key, "Authorization", "Bearer not-a-real-token",
                "User-Agent", "redaction-test/1", "X-Request-Id", id).status()).isEqualTo(200);

        final JsonNode headers = jsonLine(id).get("headers");
        assertThat(headers.get("X-API-Key").asText()).isEqualTo("REDACTED");
        assertThat(headers.get("Authorization").asText()).isEqualTo("REDACTED");
        assertThat(headers.get("User-Agent").asText()).isEqualTo("redaction-test/1");
        assertThat(jsonLine(id).toString()).doesNotContain(key).doesNotContain("not-a-real-token");
    }

    private static String textLine(String requestId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> lines(REQUESTS_TEXT).stream().anyMatch(l -> l.endsWith(" " + requestId)));
        return lines(REQUESTS_TEXT).stream().filter(l -> l.endsWith(" " + requestId)).findFirst().orElseThrow();
    }

    private static JsonNode jsonLine(String requestId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> lines(REQUESTS_JSON).stream().anyMatch(l -> l.contains(requestId)));
        final String line = lines(REQUESTS_JSON).stream().filter(l -> l.contains(requestId)).findFirst().orElseThrow();
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not one JSON object: " + line, e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String fileAppender(Path file, String layout) {
        return "{type: file, currentLogFilename: \"" + file + "\", archive: false, layout: " + layout + "}";
    }
}
