package io.authservice.alerts;

import com.codahale.metrics.Gauge;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.alert.AlertConfig;
import io.authservice.audit.alert.AlertDelivery;
import io.authservice.audit.alert.AlertDestination;
import io.authservice.audit.alert.AlertOutbox;
import io.authservice.audit.alert.AlertPruner;
import io.authservice.audit.alert.AlertWorker;
import io.authservice.audit.alert.WebhookDestination;
import io.authservice.core.Report;
import io.authservice.core.RequestRefusedException;
import io.authservice.tasks.ReportingTask;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The server's side of alerts: the delivery worker (on every instance: each alert is claimed by one
 * worker at a time) sending the outbox to the configured webhooks and Kafka topic, whichever process
 * raised the alerts (this service's direct sink or an audit-consumer writing to the same database), its
 * metrics, the pruning of the rules' state and of delivered alerts (by the same worker), and the
 * {@code test-alert} task.
 */
public final class ServiceAlerts {
    public static final String TEST_TASK = "test-alert";

    private ServiceAlerts() {
    }

    /** The configured destinations: each webhook, then the Kafka topic when enabled. */
    public static List<AlertDestination> destinations(AlertConfig config, Clock clock, String instanceId) {
        final Duration timeout = config.getDelivery().getTimeout().toJavaDuration();
        final List<AlertDestination> destinations = new ArrayList<>();
        for (AlertConfig.Webhook hook : config.getWebhooks()) {
            destinations.add(new WebhookDestination(hook, timeout, clock));
        }
        if (config.getKafka().isEnabled()) {
            destinations.add(new KafkaAlertDestination(config.getKafka(), timeout, "auth-service-alerts-" + instanceId));
        }
        return destinations;
    }

    /** Registers the worker, its metrics and the task, when alerts are on. */
    public static void register(AlertConfig config, Optional<AlertOutbox> outbox, Jdbi jdbi, Clock clock, String instanceId,
                                Environment environment, ObjectMapper json) {
        if (!config.isEnabled() || outbox.isEmpty()) {
            return;
        }
        final List<AlertDestination> destinations = destinations(config, clock, instanceId);
        final AlertDelivery delivery = new AlertDelivery(jdbi, destinations, config.getDelivery(), clock);
        if (config.getDelivery().isEnabled()) {
            environment.lifecycle().manage(new AlertWorker(delivery, new AlertPruner(jdbi, config, clock, environment.metrics()),
                    environment.lifecycle().scheduledExecutorService("alert-delivery").build(),
                    config.getDelivery().getPollInterval().toJavaDuration()));
        }
        for (AlertDestination d : destinations) {
            if (d instanceof AutoCloseable closeable) {
                environment.lifecycle().manage(new Managed() {
                    @Override
                    public void stop() throws Exception {
                        closeable.close();
                    }
                });
            }
        }
        environment.metrics().register("alerts.pending", (Gauge<Long>) delivery::pending);
        environment.admin().addTask(testTask(outbox.get(), jdbi, destinations, json));
    }

    /** {@code test-alert}: raises one test alert through the outbox; the worker delivers it as any other. */
    static ReportingTask testTask(AlertOutbox outbox, Jdbi jdbi, List<AlertDestination> destinations, ObjectMapper json) {
        return new ReportingTask(TEST_TASK, json, Set.of(), (params, body, actor) -> {
            if (destinations.isEmpty()) {
                throw RequestRefusedException.conflict("no alert destination is configured (alerts.webhooks, alerts.kafka)");
            }
            final AuditEvent raised = outbox.raiseTest(jdbi, actor.who());
            final List<String> names = destinations.stream().map(AlertDestination::name).toList();
            return new Report("raised test alert " + raised.id() + "; it is delivered to " + String.join(", ", names),
                    Report.actionJson(TEST_TASK, "id", raised.id().toString(), "destinations", names));
        });
    }
}
