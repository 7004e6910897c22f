package io.authservice.auth;

import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed sign-ins are throttled per account and per client address (429 with Retry-After). The
 * service sits behind a trusted proxy (loopback) so each test names its own client address.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class LoginThrottleIntegrationTest {
    private static final Path DIR = TestApps.tempDir();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class,
            TestApps.writeConfig(TestDatabases.newH2(DIR), DIR,
                    "jwt: {signingKey: {file: \"" + DIR.resolve("jwt.pem") + "\"}, "
                            + "loginThrottle: {maxFailuresPerAccount: 3, maxFailuresPerAddress: 5, window: 1m}}",
                    "clientAddress: {trustedProxies: [127.0.0.1, '::1']}"));
    private static final String PASSWORD = "correct horse battery staple";

    private final Http http = new Http(APP.getLocalPort());
    private final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());

    private void createUser(String username) {
        final AdminClient.Answer answer = admin.run("create-user", Map.of(), TestApps.ADMIN_TOKEN,
                "{\"username\":\"" + username + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private Http.Answer signIn(String username, String password, String client) {
        return http.post("/api/v1/token/", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}",
                "X-Forwarded-For", client);
    }

    @Test
    void anAccountWithTooManyFailuresIsThrottledFromEveryAddressEvenWithTheRightPassword() {
        createUser("carol");
        for (int i = 0; i < 3; i++) {
            assertThat(signIn("carol", "wrong password " + i, "198.51.100." + i).status()).isEqualTo(401);
        }
        final Http.Answer throttled = signIn("carol", PASSWORD, "198.51.100.200");
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(throttled.json().get("code").asInt()).isEqualTo(429);
        assertThat(throttled.cookies()).isEmpty();
        // another account from the same addresses is not affected
        createUser("dave");
        assertThat(signIn("dave", PASSWORD, "198.51.100.0").status()).isEqualTo(200);
        final var audit = ((TestAuthServiceApplication) APP.getApplication()).audit();
        assertThat(audit.matching(e -> e.type().equals(AuditEventTypes.LOGIN_FAILED)
                && AuditReasons.THROTTLED.equals(e.reason()))).hasSize(1);
    }

    @Test
    void anAddressWithTooManyFailuresIsThrottledForEveryAccount() {
        createUser("erin");
        final String client = "203.0.113.77";
        for (int i = 0; i < 5; i++) {
            assertThat(signIn("nobody-" + i, PASSWORD, client).status()).isEqualTo(401);
        }
        final Http.Answer throttled = signIn("erin", PASSWORD, client);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isNotNull();
        assertThat(signIn("erin", PASSWORD, "203.0.113.78").status()).isEqualTo(200);
    }

    @Test
    void aWrongPasswordAndAnUnknownUserGetTheSameAnswer() {
        createUser("frank");
        final Http.Answer wrong = signIn("frank", "wrong password", "192.0.2.3");
        final Http.Answer unknown = signIn("no-such-user", "wrong password", "192.0.2.4");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.body()).isEqualTo(wrong.body());
        assertThat(unknown.header("WWW-Authenticate")).isEqualTo(wrong.header("WWW-Authenticate"));
        // equal timing holds by construction: an unknown user gets one Argon2id check against a hash
        // with the same parameters (PasswordHasherTest.theDummyCheckForUnknownUsersCostsWhatARealCheckCosts)
    }
}
