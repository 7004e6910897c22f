package io.authservice.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.authservice.audit.alert.WebhookSignatures;
import io.authservice.testing.Http;
import io.authservice.testing.ServiceProcess;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An alert survives the death of the service: the whole service (a child JVM on the shipped config, on
 * PostgreSQL) raises a failure-burst alert; the webhook receiver inside the test answers 503, so delivery
 * fails and is retried; the service is killed (SIGKILL) before any attempt succeeded, started again on the
 * same data, and then the receiver takes the alert exactly once, with the same {@code Idempotency-Key} as
 * every failed attempt and a valid signature; a further burst in the same window raises no second alert.
 */
class AlertRestartIntegrationTest {
    private static final String SECRET = "whsec-restart-test-0123456789abcdef0123";
    private static final String ADDRESS_SUBJECT = "address:127.0.0.1";
    private static final int THRESHOLD = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One POST the receiver got, and what it answered. */
    record Call(String signature, String idempotencyKey, String body, int answered) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean accept = new AtomicBoolean(false);
    private HttpServer receiver;
    private ServiceProcess service;

    @AfterEach
    void tearDown() {
        if (service != null) {
            service.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private HttpServer receiver() throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            final int status = accept.get() ? 204 : 503;  // as the call arrives: one under way at the kill is refused
            final String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            calls.add(new Call(exchange.getRequestHeaders().getFirst(WebhookSignatures.HEADER),
                    exchange.getRequestHeaders().getFirst(WebhookSignatures.IDEMPOTENCY_HEADER), body, status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** Unknown keys, each a different one: the burst is the address's, no fingerprint's. */
    private static void burst(Http http, int from, int n) {
        for (int i = from; i < from + n; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", String.format("%040x", 0xbad0000L + i)).status()).isEqualTo(401);
        }
    }

    private static long count(Jdbi jdbi, String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Test
    void anAlertNotYetDeliveredWhenTheServiceIsKilledIsDeliveredOnceAfterTheRestart() throws IOException {
        receiver = receiver();
        final TestDatabases.Db db = TestDatabases.newPostgres();
        final Jdbi jdbi = Jdbi.create(db.url(), db.user(), db.password());
        final Map<String, String> env = new HashMap<>(db.environment());
        env.put("AUTH_ALERTS_ENABLED", "true");
        env.put("AUTH_ALERTS_FAILURE_BURST_THRESHOLD", Integer.toString(THRESHOLD));
        // one window for the whole test, wherever the clock stands: the second burst falls in the first one's
        env.put("AUTH_ALERTS_FAILURE_BURST_WINDOW", "3650d");
        env.put("AUTH_ALERTS_WEBHOOKS", "[{name: soc, url: \"http://127.0.0.1:" + receiver.getAddress().getPort()
                + "/hook\", secret: \"" + SECRET + "\"}]");
        final Path workDir = TestApps.tempDir();
        service = ServiceProcess.shipped(workDir, env).start();

        burst(service.http(), 0, THRESHOLD);
        // raised, and at least one attempt answered 503 and recorded as failed (the claim let go)
        await("a failed delivery attempt, recorded").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> !calls.isEmpty() && count(jdbi, "SELECT COUNT(*) FROM audit_alerts WHERE rule = 'failure_burst'"
                        + " AND attempts >= 1 AND claimed_until IS NULL AND delivered_at IS NULL") == 1);
        service.kill();
        assertThat(calls).isNotEmpty().allSatisfy(c -> assertThat(c.answered()).isEqualTo(503));
        assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_alerts WHERE delivered_at IS NOT NULL")).as("delivered before the kill").isZero();
        final String id = calls.peek().idempotencyKey();

        accept.set(true);
        service.start();
        await("the alert delivered after the restart").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> count(jdbi, "SELECT COUNT(*) FROM audit_alerts WHERE delivered_at IS NOT NULL") == 1);

        final List<Call> taken = calls.stream().filter(c -> c.answered() == 204).toList();
        assertThat(taken).as("deliveries the receiver took").hasSize(1);
        assertThat(calls).as("every attempt, before and after the kill, carries the alert's id")
                .extracting(Call::idempotencyKey).containsOnly(id);
        final Call delivered = taken.get(0);
        assertThat(delivered.json().get("id").asText()).isEqualTo(id);
        assertThat(delivered.json().get("rule").asText()).isEqualTo("failure_burst");
        assertThat(delivered.json().get("subject").asText()).isEqualTo(ADDRESS_SUBJECT);
        assertThat(delivered.body()).as("the same bytes on every attempt").isEqualTo(calls.peek().body());
        // the signature holds over the body at the time it claims, and that time is no earlier than the alert
        final long signedAt = Long.parseLong(delivered.signature().replaceAll("^t=(\\d+),.*$", "$1"));
        assertThat(WebhookSignatures.verify(SECRET, delivered.signature(), delivered.body(), signedAt, 0)).isTrue();
        assertThat(WebhookSignatures.verify("whsec-another-secret-0123456789abcdef0", delivered.signature(), delivered.body(),
                signedAt, 0)).isFalse();
        assertThat(signedAt).isGreaterThanOrEqualTo(Instant.parse(delivered.json().get("raised_at").asText()).getEpochSecond());

        // more failures in the same window, after the restart: the window's alert was raised, none again
        final long before = count(jdbi, "SELECT COUNT(*) FROM audit_events WHERE type = 'api_key.rejected'");
        burst(service.http(), THRESHOLD, THRESHOLD);
        await("the second burst stored").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> count(jdbi, "SELECT COUNT(*) FROM audit_events WHERE type = 'api_key.rejected'") >= before + THRESHOLD);
        assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_alerts WHERE rule = 'failure_burst'")).isEqualTo(1);
        assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_events WHERE type = 'alert.raised' AND reason = 'failure_burst'"))
                .isEqualTo(1);
        assertThat(calls.stream().filter(c -> c.answered() == 204)).as("deliveries the receiver took, in the end").hasSize(1);
    }
}
