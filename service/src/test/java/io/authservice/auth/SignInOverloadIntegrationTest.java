package io.authservice.auth;

import com.codahale.metrics.Gauge;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Password checks run at most {@code jwt.passwordHashing.maxConcurrent} at once (each holds 19 MiB);
 * a sign-in that gets no turn within {@code maxWait} is answered 503 with Retry-After, audited as
 * {@code login.failed}/{@code overloaded} and counted, instead of piling up until the heap runs out.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SignInOverloadIntegrationTest {
    private static final int MAX_CONCURRENT = 2;
    private static final Path DIR = TestApps.tempDir();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class,
            TestApps.writeConfig(TestDatabases.newH2(DIR), DIR,
                    "jwt: {signingKey: {file: \"" + DIR.resolve("jwt.pem") + "\"}, "
                            + "passwordHashing: {maxConcurrent: " + MAX_CONCURRENT + ", maxWait: 50ms}}",
                    "clientAddress: {trustedProxies: [127.0.0.1, '::1']}"));
    private static final String PASSWORD = "correct horse battery staple";

    private final Http http = new Http(APP.getLocalPort());

    @Test
    void hundredsOfConcurrentSignInsAreAnsweredAndNeverRunMoreChecksThanTheBound() throws Exception {
        final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());
        assertThat(admin.run("create-user", Map.of(), TestApps.ADMIN_TOKEN,
                "{\"username\":\"busy\",\"password\":\"" + PASSWORD + "\"}").status()).isEqualTo(200);

        final int requests = 200;
        final ExecutorService pool = Executors.newFixedThreadPool(64);
        final List<Http.Answer> answers = new ArrayList<>();
        try {
            final List<CompletableFuture<Http.Answer>> pending = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                final int n = i;
                // mostly unknown users (the reproduction), some right passwords; many client addresses
                final String body = n % 10 == 0
                        ? "{\"username\":\"busy\",\"password\":\"" + PASSWORD + "\"}"
                        : "{\"username\":\"nobody-" + n + "\",\"password\":\"guess\"}";
                pending.add(CompletableFuture.supplyAsync(() -> http.post("/api/v1/token/", body,
                        "X-Forwarded-For", "198.51.100." + (n % 50)), pool));
            }
            for (CompletableFuture<Http.Answer> answer : pending) {
                answers.add(answer.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(answers).extracting(Http.Answer::status).isSubsetOf(200, 401, 429, 503).contains(503);
        final List<Http.Answer> overloaded = answers.stream().filter(a -> a.status() == 503).toList();
        assertThat(overloaded).allSatisfy(answer -> {
            assertThat(answer.header("Retry-After")).isEqualTo("1");
            assertThat(answer.json().get("code").asInt()).isEqualTo(503);
            assertThat(answer.json().get("message").asText()).isNotBlank();
            assertThat(answer.cookies()).isEmpty();
        });

        final var metrics = APP.getEnvironment().metrics();
        assertThat(metrics.counter("auth.password-hashing.refused").getCount()).isEqualTo(overloaded.size());
        assertThat((Integer) gauge("auth.password-hashing.peak").getValue()).isBetween(1, MAX_CONCURRENT);
        assertThat((Integer) gauge("auth.password-hashing.running").getValue()).isZero();

        final List<AuditEvent> audited = ((TestAuthServiceApplication) APP.getApplication()).audit().matching(e ->
                e.type().equals(AuditEventTypes.LOGIN_FAILED) && AuditReasons.OVERLOADED.equals(e.reason()));
        assertThat(audited).hasSize(overloaded.size()).allSatisfy(e -> assertThat(e.status()).isEqualTo(503));

        // once the burst is over, sign-in works again
        assertThat(http.post("/api/v1/token/", "{\"username\":\"busy\",\"password\":\"" + PASSWORD + "\"}",
                "X-Forwarded-For", "203.0.113.200").status()).isEqualTo(200);
    }

    private static Gauge<?> gauge(String name) {
        final Gauge<?> gauge = APP.getEnvironment().metrics().getGauges().get(name);
        assertThat(gauge).as(name).isNotNull();
        return gauge;
    }
}
