package io.authservice.auth;

import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.RecordingAuditLog;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed sign-ins are throttled per (account, client address), per account from all addresses (the
 * ceiling) and per client address, each answering 429 with Retry-After; every attempt is counted
 * before its Argon2id check, so a concurrent burst checks no more than the limit. The service sits
 * behind a trusted proxy (loopback) so each test names its own client addresses. A password check
 * here waits as long as it must for its turn, so no burst is answered 503.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class LoginThrottleIntegrationTest {
    private static final int PER_ACCOUNT_AND_ADDRESS = 5;
    private static final int PER_ACCOUNT = 12;
    private static final int PER_ADDRESS = 8;
    private static final Path DIR = TestApps.tempDir();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class,
            TestApps.writeConfig(TestDatabases.newH2(DIR), DIR,
                    "jwt: {signingKey: {file: \"" + DIR.resolve("jwt.pem") + "\"}, "
                            + "loginThrottle: {maxFailuresPerAccountAndAddress: " + PER_ACCOUNT_AND_ADDRESS
                            + ", maxFailuresPerAccount: " + PER_ACCOUNT + ", maxFailuresPerAddress: " + PER_ADDRESS
                            + ", window: 1m}, passwordHashing: {maxWait: 30s}}",
                    "clientAddress: {trustedProxies: [127.0.0.1, '::1']}"));
    private static final String PASSWORD = "correct horse battery staple";

    private final Http http = new Http(APP.getLocalPort());
    private final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());

    private static RecordingAuditLog audit() {
        return ((TestAuthServiceApplication) APP.getApplication()).audit();
    }

    private long createUser(String username) {
        final AdminClient.Answer answer = admin.run("create-user", Map.of("format", "json"), TestApps.ADMIN_TOKEN,
                "{\"username\":\"" + username + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().get("user").get("id").asLong();
    }

    private Http.Answer signIn(String username, String password, String client) {
        return http.post("/api/v1/token/", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}",
                "X-Forwarded-For", client);
    }

    private static List<AuditEvent> loginFailures(long userId, String reason) {
        return audit().matching(e -> e.type().equals(AuditEventTypes.LOGIN_FAILED) && reason.equals(e.reason())
                && (e.userId() == null || e.userId() == userId));
    }

    @Test
    void wrongPasswordsFromOneAddressDoNotLockThePersonOutFromAnother() {
        createUser("carol");
        final String attacker = "198.51.100.66";
        for (int i = 0; i < PER_ACCOUNT_AND_ADDRESS; i++) {
            assertThat(signIn("carol", "wrong password " + i, attacker).status()).isEqualTo(401);
        }
        // the pair (carol, attacker's address) is throttled, even with the right password
        final Http.Answer throttled = signIn("carol", PASSWORD, attacker);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(throttled.json().get("code").asInt()).isEqualTo(429);
        assertThat(throttled.cookies()).isEmpty();
        // carol herself, from her own address, signs in
        assertThat(signIn("carol", PASSWORD, "203.0.113.10").status()).isEqualTo(200);
        // and another account from the attacker's address is not affected
        createUser("dave");
        assertThat(signIn("dave", PASSWORD, attacker).status()).isEqualTo(200);
    }

    @Test
    void guessingOneAccountFromManyAddressesMeetsTheCeiling() {
        createUser("grace");
        for (int i = 0; i < PER_ACCOUNT; i++) {
            assertThat(signIn("grace", "guess " + i, "192.0.2." + (10 + i)).status()).isEqualTo(401);
        }
        final Http.Answer ceiling = signIn("grace", PASSWORD, "192.0.2.200");
        assertThat(ceiling.status()).isEqualTo(429);
        assertThat(Long.parseLong(ceiling.header("Retry-After"))).isBetween(1L, 60L);
    }

    @Test
    void anAddressWithTooManyFailuresIsThrottledForEveryAccount() {
        createUser("erin");
        final String client = "203.0.113.77";
        for (int i = 0; i < PER_ADDRESS; i++) {
            assertThat(signIn("nobody-" + i, PASSWORD, client).status()).isEqualTo(401);
        }
        final Http.Answer throttled = signIn("erin", PASSWORD, client);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isNotNull();
        assertThat(signIn("erin", PASSWORD, "203.0.113.78").status()).isEqualTo(200);
    }

    @Test
    void aConcurrentBurstFromOneAddressChecksNoMoreThanThePairLimit() throws Exception {
        final long id = createUser("heidi");
        final List<Integer> statuses = burst(30, i -> "198.51.100.30", "heidi");
        assertThat(statuses).containsOnly(401, 429);
        // every answer is one login.failed event; only the counted ones ran an Argon2id check
        assertThat(loginFailures(id, AuditReasons.BAD_PASSWORD)).hasSize(PER_ACCOUNT_AND_ADDRESS);
        assertThat(statuses.stream().filter(s -> s == 401)).hasSize(PER_ACCOUNT_AND_ADDRESS);
        assertThat(statuses.stream().filter(s -> s == 429)).hasSize(30 - PER_ACCOUNT_AND_ADDRESS);
    }

    @Test
    void aConcurrentBurstFromManyAddressesChecksNoMoreThanTheCeiling() throws Exception {
        final long id = createUser("ivan");
        final List<Integer> statuses = burst(30, i -> "198.51.101." + i, "ivan");
        assertThat(statuses).containsOnly(401, 429);
        assertThat(loginFailures(id, AuditReasons.BAD_PASSWORD)).hasSize(PER_ACCOUNT);
        assertThat(statuses.stream().filter(s -> s == 429)).hasSize(30 - PER_ACCOUNT);
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

    /** {@code count} wrong passwords for {@code username} at once, the i-th from {@code client.apply(i)}; the statuses. */
    private List<Integer> burst(int count, IntFunction<String> client, String username) throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(count);
        final CountDownLatch start = new CountDownLatch(1);
        try {
            final List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                final int n = i;
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    return signIn(username, "burst guess " + n, client.apply(n)).status();
                }, pool));
            }
            start.countDown();
            final List<Integer> statuses = new ArrayList<>();
            for (CompletableFuture<Integer> answer : answers) {
                statuses.add(answer.get(60, TimeUnit.SECONDS));
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }
}
