package io.authservice.auth;

import com.codahale.metrics.Counter;
import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditReasons;
import io.authservice.testing.AdminClient;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failed-attempt throttling per client address and batched last-used writes, through the running
 * service. The service sits behind a trusted proxy here (loopback), so each test names its own
 * client address in X-Forwarded-For.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ThrottleAndUsageIntegrationTest {
    private static final Path DIR = TestApps.tempDir();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class,
            TestApps.writeConfig(TestDatabases.newH2(DIR), DIR,
                    "throttle: {maxFailures: 3, window: 1m}",
                    "clientAddress: {trustedProxies: [127.0.0.1, '::1']}"),
            ConfigOverride.config("apiKeys.lastUsedFlushInterval", "1s"));

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());

    @Test
    void anAddressWithTooManyFailuresGets429WithRetryAfterAndNoLookup() {
        final String valid = admin.json("create-api-key", Map.of("name", "throttle-valid")).get("key").asText();
        final String client = "203.0.113.7";
        for (int i = 0; i < 3; i++) {
            assertThat(status(String.format("%040x", i), client)).isEqualTo(401);
        }
        final long lookupsBefore = cacheLookups();

        final HttpResponse<String> throttled = whoami("ffffffffffffffffffffffffffffffffffffffff", client);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        assertThat(throttled.body()).isEqualTo("{\"code\":429,\"message\":\"Too many failed attempts from this address; retry later.\"}");
        // the throttle holds for the address even with a valid key, and answers before any lookup
        assertThat(status(valid, client)).isEqualTo(429);
        assertThat(cacheLookups()).isEqualTo(lookupsBefore);

        // other addresses are not affected
        assertThat(status(valid, "203.0.113.8")).isEqualTo(200);

        final var audit = ((TestAuthServiceApplication) APP.getApplication()).audit();
        // (other tests here are throttled from other addresses)
        await().atMost(Duration.ofSeconds(5)).until(() -> audit.matching(e -> AuditReasons.THROTTLED.equals(e.reason())
                && client.equals(e.clientAddress())).size() == 2);
        assertThat(audit.matching(e -> client.equals(e.clientAddress()) && e.status() != 401))
                .hasSize(2)
                .allSatisfy(e -> {
                    assertThat(e.reason()).isEqualTo(AuditReasons.THROTTLED);
                    assertThat(e.status()).isEqualTo(429);
                });
    }

    @Test
    void theClientIsTheRightMostUntrustedAddressInTheChain() {
        final var audit = ((TestAuthServiceApplication) APP.getApplication()).audit();
        // a forged left-most entry does not become the client; the hop our proxy appended does
        assertThat(status("0000000000000000000000000000000000000abc", "1.2.3.4, 198.51.100.9")).isEqualTo(401);
        await().atMost(Duration.ofSeconds(5)).until(() -> !audit.matching(e -> "198.51.100.9".equals(e.clientAddress())).isEmpty());
        assertThat(audit.matching(e -> "1.2.3.4".equals(e.clientAddress()))).isEmpty();
    }

    @Test
    void everyForwardedForLineIsReadSoAClientCannotForgeItsAddressWithALineOfItsOwn() {
        final var audit = ((TestAuthServiceApplication) APP.getApplication()).audit();
        // the client's own line first, then the line our proxy appended
        final HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + APP.getLocalPort() + "/api/v1/whoami/"))
                .header("X-API-Key", "0000000000000000000000000000000000000def")
                .header("X-Forwarded-For", "6.6.6.6").header("X-Forwarded-For", "203.0.113.71").GET().build();
        assertThat(send(request).statusCode()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(5)).until(() -> !audit.matching(e -> "203.0.113.71".equals(e.clientAddress())).isEmpty());
        assertThat(audit.matching(e -> "6.6.6.6".equals(e.clientAddress()))).isEmpty();
    }

    @Test
    void aConcurrentBurstOfBadKeysFromOneAddressLooksUpNoMoreThanTheLimit() throws Exception {
        final var audit = ((TestAuthServiceApplication) APP.getApplication()).audit();
        final String client = "203.0.113.90";
        final int burst = 30;
        final ExecutorService pool = Executors.newFixedThreadPool(burst);
        final CountDownLatch start = new CountDownLatch(1);
        final List<Integer> statuses = new ArrayList<>();
        final long lookupsBefore = cacheLookups();
        try {
            final List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                final String key = String.format("%040x", 0xb00000 + i); // each unknown: each a database lookup
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    return status(key, client);
                }, pool));
            }
            start.countDown();
            for (CompletableFuture<Integer> answer : answers) {
                statuses.add(answer.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(statuses.stream().filter(s -> s == 401)).hasSize(3);
        assertThat(statuses.stream().filter(s -> s == 429)).hasSize(burst - 3);
        assertThat(cacheLookups() - lookupsBefore).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> audit.matching(e -> client.equals(e.clientAddress())).size() == burst);
        assertThat(audit.matching(e -> client.equals(e.clientAddress()) && AuditReasons.UNKNOWN.equals(e.reason()))).hasSize(3);
    }

    @Test
    void lastUsedAtIsWrittenInBatchesNotPerRequest() {
        final String key = admin.json("create-api-key", Map.of("name", "usage-counted")).get("key").asText();
        assertThat(lastUsed("usage-counted").isNull()).isTrue();

        for (int i = 0; i < 25; i++) {
            assertThat(status(key, "203.0.113.50")).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> !lastUsed("usage-counted").isNull());
    }

    private JsonNode lastUsed(String name) {
        for (JsonNode key : admin.json("list-api-keys", Map.of()).get("api_keys")) {
            if (key.get("name").asText().equals(name)) {
                return key.get("last_used_at");
            }
        }
        throw new AssertionError("no key named " + name);
    }

    private static long cacheLookups() {
        final Map<String, Counter> counters = APP.getEnvironment().metrics().getCounters();
        return counters.get("api-key-cache.hits").getCount() + counters.get("api-key-cache.misses").getCount();
    }

    private static int status(String key, String forwardedFor) {
        return whoami(key, forwardedFor).statusCode();
    }

    /**
     * The JDK's client, which (unlike Apache HttpClient behind the Jersey test client) never retries
     * a 429 by itself after sleeping for Retry-After.
     */
    private static HttpResponse<String> whoami(String key, String forwardedFor) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + "/api/v1/whoami/"))
                .header("X-API-Key", key).header("X-Forwarded-For", forwardedFor).GET().build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
