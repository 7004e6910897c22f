package io.authservice.auth;

import io.authservice.AuthServiceConfiguration;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What another site's page can make a browser send with the person's cookies: a form or a
 * {@code text/plain} body (415), anything from a foreign origin (403, by {@code Origin} or, without
 * it, by {@code Sec-Fetch-Site}). JSON from the service's own origin, from an allowed origin, or from
 * a client that is not a browser (neither header) is served. A refused request changes nothing.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class CrossSiteRequestIntegrationTest {
    private static final String ALLOWED = "https://app.example.com";
    private static final String FOREIGN = "https://evil.example.com";
    private static final String PASSWORD = "correct horse battery staple";
    private static final Path DIR = TestApps.tempDir();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class,
            TestApps.writeConfig(TestDatabases.newH2(DIR), DIR,
                    "jwt: {signingKey: {file: \"" + DIR.resolve("jwt.pem") + "\"}, cookies: {allowedOrigins: ['" + ALLOWED + "']}}"));

    private final Http http = new Http(APP.getLocalPort());

    @BeforeAll
    static void createUser() {
        final AdminClient.Answer answer = new AdminClient(APP.client(), APP.getAdminPort()).run("create-user", Map.of(),
                TestApps.ADMIN_TOKEN, "{\"username\":\"olivia\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private Http.Answer signIn() {
        final Http.Answer answer = http.post("/api/v1/token/", "{\"username\":\"olivia\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(answer.status()).isEqualTo(200);
        return answer;
    }

    private static String cookie(String refresh) {
        return "refresh_token=" + refresh;
    }

    /** A POST with the refresh cookie, as {@code contentType} with an empty body, and more headers. */
    private Http.Answer post(String path, String refresh, String contentType, String... headers) {
        final String[] all = new String[headers.length + 4];
        all[0] = "Cookie";
        all[1] = cookie(refresh);
        all[2] = "Content-Type";
        all[3] = contentType;
        System.arraycopy(headers, 0, all, 4, headers.length);
        return http.post(path, null, all);
    }

    private static void assertRefused(Http.Answer answer, int status) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.json().get("code").asInt()).isEqualTo(status);
        assertThat(answer.json().get("message").asText()).isNotBlank();
        assertThat(answer.cookies()).isEmpty();
    }

    /** Each cross-site shape refused at {@code path}; none of them may act with the cookie. */
    private void assertEveryCrossSiteShapeIsRefused(String path, String refresh) {
        assertRefused(post(path, refresh, "application/x-www-form-urlencoded"), 415);
        assertRefused(post(path, refresh, "text/plain"), 415);
        assertRefused(post(path, refresh, "multipart/form-data; boundary=x"), 415);
        assertRefused(post(path, refresh, "application/json", "Origin", FOREIGN), 403);
        assertRefused(post(path, refresh, "application/json", "Origin", "null"), 403);
        assertRefused(post(path, refresh, "application/json", "Origin", "http://app.example.com"), 403); // not https
        assertRefused(post(path, refresh, "application/json", "Sec-Fetch-Site", "cross-site"), 403);
        assertRefused(post(path, refresh, "application/json", "Sec-Fetch-Site", "same-site"), 403);
        assertRefused(post(path, refresh, "text/plain", "Origin", FOREIGN), 403);
    }

    @Test
    void refreshWithTheCookieIsRefusedCrossSiteAndServedFromAllowedOrigins() {
        final String first = signIn().json().get("refresh").asText();
        assertEveryCrossSiteShapeIsRefused("/api/v1/token/refresh/", first);

        // none of those exchanged the token: it works now, once (a second use would be reuse, and a 401)
        final Http.Answer allowed = post("/api/v1/token/refresh/", first, "application/json", "Origin", ALLOWED);
        assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
        final String second = allowed.json().get("refresh").asText();
        final Http.Answer own = post("/api/v1/token/refresh/", second, "application/json; charset=utf-8",
                "Origin", "http://127.0.0.1:" + APP.getLocalPort());
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        final String third = own.json().get("refresh").asText();
        final Http.Answer sameOrigin = post("/api/v1/token/refresh/", third, "application/json", "Sec-Fetch-Site", "same-origin");
        assertThat(sameOrigin.status()).as(sameOrigin.body()).isEqualTo(200);
        // a client that is no browser sends neither header
        final Http.Answer plain = post("/api/v1/token/refresh/", sameOrigin.json().get("refresh").asText(), "application/json");
        assertThat(plain.status()).as(plain.body()).isEqualTo(200);
    }

    @Test
    void logoutWithTheCookieIsRefusedCrossSiteAndServedFromAllowedOrigins() {
        final String refresh = signIn().json().get("refresh").asText();
        assertEveryCrossSiteShapeIsRefused("/api/v1/token/logout/", refresh);

        // none of those signed the person out: the token still refreshes
        final Http.Answer stillValid = http.post("/api/v1/token/refresh/", "{\"refresh\":\"" + refresh + "\"}");
        assertThat(stillValid.status()).as(stillValid.body()).isEqualTo(200);
        final String next = stillValid.json().get("refresh").asText();

        final Http.Answer out = post("/api/v1/token/logout/", next, "application/json", "Origin", ALLOWED);
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.cookies()).anySatisfy(c -> assertThat(c).startsWith("refresh_token=;").contains("Max-Age=0"));
        assertThat(http.post("/api/v1/token/refresh/", "{\"refresh\":\"" + next + "\"}").status()).isEqualTo(401);
    }

    @Test
    void aRequestWithoutTheCookiesIsNotTouched() {
        // nothing ambient to abuse: the endpoint answers as it always did
        assertThat(http.post("/api/v1/token/logout/", null, "Content-Type", "text/plain", "Origin", FOREIGN).status())
                .isEqualTo(204);
    }

    @Test
    void anyStateChangingRequestWithTheAccessCookieIsChecked() {
        final String access = signIn().json().get("access").asText();
        final Http.Answer answer = http.post("/api/v1/tts/users-info/", "{\"user_ids\":[1]}",
                "Cookie", "access_token=" + access, "Origin", FOREIGN);
        assertRefused(answer, 403);
        assertThat(answer.json().get("message").asText()).contains("Cross-site");
        // reading with the cookie is not state-changing, and is served from anywhere
        assertThat(http.get("/api/v1/users/me/", "Cookie", "access_token=" + access, "Origin", FOREIGN).status())
                .isEqualTo(200);
    }
}
