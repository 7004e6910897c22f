package io.authservice.crash;

import io.authservice.testing.RequestLoad;
import io.authservice.testing.ServiceProcess;
import io.authservice.testing.StoredAuditEvents;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nothing the audit trail was promised is lost when the service dies: with key-authenticated and
 * unknown-key requests in flight, the service (a child JVM on the shipped config) is killed
 * (SIGKILL) or stopped (SIGTERM), started again on the same data, and once the shipper has caught
 * up, every request whose answer was received has exactly one event in the store, and no event is
 * stored twice. Each subclass names the sink and the store. One service (and working directory)
 * serves the class: each test ends it and starts it again, so it runs whichever test comes first,
 * and each test's own answers are what it looks for, in a store that must hold each event once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AuditCrashContract {
    /** Requests at most, over all client threads: a few thousand are plenty, and CI has 2 cores. */
    private static final int MAX_REQUESTS = 3000;
    /** Answers received before the service is ended: it dies in the middle of the load. */
    private static final int ANSWERS_BEFORE_THE_END = 800;

    private Path workDir;
    private ServiceProcess service;

    /** The environment of the service's shipped config: the sink and the database. */
    protected abstract Map<String, String> environment(Path workDir);

    /** The database whose audit store ends up with the events. */
    protected abstract TestDatabases.Db store(Path workDir);

    @AfterAll
    void tearDown() {
        if (service != null) {
            service.close();
        }
    }

    /**
     * The class's service, started on first use (after a subclass's {@code @BeforeAll} started what
     * it needs), and again if a test before this one left it down.
     */
    private ServiceProcess running() {
        if (service == null) {
            workDir = TestApps.tempDir();
            service = ServiceProcess.shipped(workDir, environment(workDir));
        }
        return service.isAlive() ? service : service.start();
    }

    @Test
    void afterAKillEveryAnsweredRequestHasExactlyOneEvent() {
        endUnderLoadAndRestart("killed", ServiceProcess::kill);
    }

    @Test
    void afterAGracefulStopEveryAnsweredRequestHasExactlyOneEvent() {
        endUnderLoadAndRestart("stopped", process -> assertThat(process.stop()).as("exit code after SIGTERM").isEqualTo(143));
    }

    private void endUnderLoadAndRestart(String keyName, Consumer<ServiceProcess> end) {
        final ServiceProcess service = running();
        final String key = service.admin().json("create-api-key", Map.of("name", keyName)).get("key").asText();
        final RequestLoad load = new RequestLoad(service.port(), key, MAX_REQUESTS, Duration.ofSeconds(40)).start(4);
        await().atMost(Duration.ofSeconds(40)).until(() -> load.answered() >= ANSWERS_BEFORE_THE_END);
        end.accept(service);
        load.stop();
        service.start();

        final Map<String, Integer> answered = load.answers();
        assertThat(answered).hasSizeGreaterThanOrEqualTo(ANSWERS_BEFORE_THE_END);
        assertThat(load.answersWithoutRequestId().keySet()).as("answers the application did not make").isSubsetOf(503);
        final TestDatabases.Db db = store(workDir);
        // the shipper (and, with Kafka, the consumer) catch up after the restart
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            final Set<String> missing = new HashSet<>(answered.keySet());
            missing.removeAll(StoredAuditEvents.countByRequestId(db).keySet());
            assertThat(missing.size()).as("answered requests (of %d) without an event in the store", answered.size()).isZero();
        });
        assertThat(StoredAuditEvents.countByRequestId(db)).as("events per request id")
                .allSatisfy((requestId, events) -> assertThat(events).as(requestId).isEqualTo(1));
    }
}
