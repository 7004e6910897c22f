package io.authservice.audit.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.authservice.audit.AuditEvent;
import io.dropwizard.util.Duration;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox's delivery to a real HTTP receiver inside the test, on H2 and PostgreSQL: a signed call the
 * receiver verifies, a retry after a 500 with the same id, a worker that dies between claim and answer
 * (its alert is sent once more, with the same id, after its lease), and nothing sent again once delivered.
 */
class AlertDeliveryIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final String SECRET = "whsec-test-0123456789abcdef0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    record Call(String signature, String idempotencyKey, String contentType, String body) {
    }

    private HttpServer receiver;
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    /** The statuses the receiver answers, in turn; 200 once they run out. */
    private final LinkedBlockingQueue<Integer> statuses = new LinkedBlockingQueue<>();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                calls.add(new Call(exchange.getRequestHeaders().getFirst(WebhookSignatures.HEADER),
                        exchange.getRequestHeaders().getFirst(WebhookSignatures.IDEMPOTENCY_HEADER),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
            final Integer status = statuses.poll();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private AlertConfig config() {
        final AlertConfig config = new AlertConfig();
        config.setEnabled(true);
        final AlertConfig.Webhook hook = new AlertConfig.Webhook();
        hook.setName("soc");
        hook.setUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        hook.setSecret(SECRET);
        config.getWebhooks().add(hook);
        config.getDelivery().setInitialBackoff(Duration.seconds(10));
        config.getDelivery().setMaxBackoff(Duration.minutes(5));
        config.getDelivery().setLease(Duration.minutes(1));
        return config;
    }

    private static AlertDelivery worker(Jdbi jdbi, AlertConfig config, SettableClock clock) {
        final List<AlertDestination> hooks = config.getWebhooks().stream()
                .<AlertDestination>map(h -> new WebhookDestination(h, java.time.Duration.ofSeconds(10), clock)).toList();
        return new AlertDelivery(jdbi, hooks, config.getDelivery(), clock);
    }

    private static Map<String, Object> row(Jdbi jdbi, AuditEvent alert) {
        return jdbi.withHandle(h -> h.createQuery("SELECT attempts, delivered_to, delivered_at, last_error FROM audit_alerts WHERE id = :id")
                .bind("id", alert.id()).mapToMap().one());
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void aTestAlertIsDeliveredSignedAndMarkedDelivered(Supplier<Jdbi> database) throws Exception {
        final Jdbi jdbi = database.get();
        final SettableClock clock = new SettableClock(T0);
        final AlertConfig config = config();
        final AlertTestStores.Writer writer = AlertTestStores.writer(jdbi, config, "a", clock);
        final AuditEvent alert = writer.outbox().raiseTest(jdbi, "admin-task@127.0.0.1");

        assertThat(worker(jdbi, config, clock).runOnce()).isEqualTo(new AlertDelivery.Pass(1, 1, 0));

        assertThat(calls).hasSize(1);
        final Call call = calls.peek();
        assertThat(call.idempotencyKey()).isEqualTo(alert.id().toString());
        assertThat(call.contentType()).isEqualTo("application/json");
        assertThat(call.signature()).startsWith("t=" + T0.getEpochSecond() + ",v1=");
        assertThat(WebhookSignatures.verify(SECRET, call.signature(), call.body(), T0.getEpochSecond() + 30, 300)).isTrue();
        assertThat(WebhookSignatures.verify(SECRET, call.signature(), call.body() + " ", T0.getEpochSecond(), 300)).isFalse();
        assertThat(WebhookSignatures.verify("another-secret-0123456789abcdef01234", call.signature(), call.body(),
                T0.getEpochSecond(), 300)).isFalse();
        assertThat(WebhookSignatures.verify(SECRET, call.signature(), call.body(), T0.getEpochSecond() + 301, 300)).isFalse();
        final var body = JSON.readTree(call.body());
        assertThat(body.get("id").asText()).isEqualTo(alert.id().toString());
        assertThat(body.get("rule").asText()).isEqualTo(AlertRules.TEST);
        assertThat(body.get("test").asBoolean()).isTrue();
        assertThat(call.body()).doesNotContain(SECRET);
        assertThat(row(jdbi, alert)).containsEntry("delivered_to", "soc").containsEntry("attempts", 1);
        assertThat(row(jdbi, alert).get("delivered_at")).isNotNull();

        // a restarted worker sends nothing again
        clock.advance(java.time.Duration.ofHours(1));
        assertThat(worker(jdbi, config, clock).runOnce()).isEqualTo(new AlertDelivery.Pass(0, 0, 0));
        assertThat(calls).hasSize(1);
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void aFailedCallIsRetriedAfterTheBackoffWithTheSameId(Supplier<Jdbi> database) {
        final Jdbi jdbi = database.get();
        final SettableClock clock = new SettableClock(T0);
        final AlertConfig config = config();
        final AuditEvent alert = AlertTestStores.writer(jdbi, config, "a", clock).outbox().raiseTest(jdbi, null);
        final AlertDelivery worker = worker(jdbi, config, clock);
        statuses.add(500);
        statuses.add(503);

        assertThat(worker.runOnce()).isEqualTo(new AlertDelivery.Pass(1, 0, 1));
        assertThat(row(jdbi, alert)).containsEntry("attempts", 1).containsEntry("last_error", "soc: answered 500");
        assertThat(worker.runOnce().claimed()).isZero();  // not due before the backoff
        clock.advance(java.time.Duration.ofSeconds(10));
        assertThat(worker.runOnce()).isEqualTo(new AlertDelivery.Pass(1, 0, 1));
        clock.advance(java.time.Duration.ofSeconds(19));
        assertThat(worker.runOnce().claimed()).isZero();  // the second wait is twice the first
        clock.advance(java.time.Duration.ofSeconds(1));
        assertThat(worker.runOnce()).isEqualTo(new AlertDelivery.Pass(1, 1, 0));

        assertThat(calls).hasSize(3).extracting(Call::idempotencyKey).containsOnly(alert.id().toString());
        assertThat(calls).extracting(Call::body).containsOnly(calls.peek().body());
        assertThat(row(jdbi, alert)).containsEntry("attempts", 3).containsEntry("delivered_to", "soc");
    }

    @ParameterizedTest
    @MethodSource("io.authservice.audit.alert.AlertTestStores#databases")
    void aWorkerThatDiesBetweenClaimAndAnswerLeavesItToAnotherAfterItsLease(Supplier<Jdbi> database) {
        final Jdbi jdbi = database.get();
        final SettableClock clock = new SettableClock(T0);
        final AlertConfig config = config();
        final AuditEvent alert = AlertTestStores.writer(jdbi, config, "a", clock).outbox().raiseTest(jdbi, null);

        // the first worker claims the alert and sends it, then dies before it records the answer
        final AlertDelivery first = worker(jdbi, config, clock);
        final List<AlertDelivery.Claimed> held = first.claim();
        assertThat(held).hasSize(1);
        assertThat(calls).isEmpty();
        // another instance (or the restarted one) leaves it while the lease holds
        final AlertDelivery second = worker(jdbi, config, clock);
        assertThat(second.runOnce().claimed()).isZero();
        clock.advance(java.time.Duration.ofSeconds(61));
        assertThat(second.runOnce()).isEqualTo(new AlertDelivery.Pass(1, 1, 0));
        assertThat(calls).extracting(Call::idempotencyKey).containsExactly(alert.id().toString());
        // the dead worker's late record of its claim changes nothing
        assertThat(first.send(held.get(0))).isTrue();
        assertThat(calls).hasSize(2).extracting(Call::idempotencyKey).containsOnly(alert.id().toString());
        assertThat(row(jdbi, alert)).containsEntry("attempts", 1);
        // and once delivered, no worker sends it again
        clock.advance(java.time.Duration.ofHours(2));
        assertThat(worker(jdbi, config, clock).runOnce().claimed()).isZero();
        assertThat(calls).hasSize(2);
    }
}
