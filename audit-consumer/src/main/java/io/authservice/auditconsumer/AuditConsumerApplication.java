package io.authservice.auditconsumer;

import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditPurger;
import io.authservice.audit.AuditRetention;
import io.authservice.audit.AuditCounts;
import io.authservice.audit.alert.Alerting;
import io.authservice.audit.AuditStore;
import io.authservice.audit.EmbeddedH2;
import io.authservice.audit.Migrations;
import io.authservice.audit.SqlObjects;
import io.authservice.audit.seal.Sealing;
import io.authservice.audit.seal.SealedStores;
import io.authservice.observability.PrometheusEndpoint;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jdbi3.JdbiFactory;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;

/**
 * Reads audit events from Kafka and writes them into the audit store, each exactly once: a
 * consumer group, batches stored in one transaction before their offsets are committed, dead
 * letters for records that are not events and for events the store refuses; consumer threads that
 * restart after a failure; deletes what is older than {@code retentionDays}, daily. Health checks
 * {@code database}, {@code kafka} and {@code consumers}; metrics also in the Prometheus format at
 * {@code /prometheus} on the admin port.
 */
public class AuditConsumerApplication extends Application<AuditConsumerConfiguration> {

    public static void main(String[] args) throws Exception {
        new AuditConsumerApplication().run(args);
    }

    @Override
    public String getName() {
        return "audit-consumer";
    }

    @Override
    public void initialize(Bootstrap<AuditConsumerConfiguration> bootstrap) {
        // on the embedded H2 default, the TCP server through which the service shares the file stays on loopback
        EmbeddedH2.bindServersToLoopback();
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @Override
    public void run(AuditConsumerConfiguration config, Environment environment) {
        EmbeddedH2.prepareFiles(config.getDatabase().getUrl());
        // registers the "database" health check
        final Jdbi jdbi = new JdbiFactory().build(environment, config.getDatabase(), "database");
        SqlObjects.prepare(jdbi, AuditEventDAO.class);
        if (config.isMigrateOnStart()) {
            Migrations.apply(jdbi, AuditStore.CHANGELOG);
        }
        final KafkaHealthCheck kafka = new KafkaHealthCheck(config.getKafka().getBootstrapServers());
        environment.lifecycle().manage(kafka);
        environment.healthChecks().register("kafka", kafka);
        PrometheusEndpoint.register(environment.metrics(), environment.admin());
        final Clock clock = clock();
        final AuditStore store = new AuditStore(jdbi);
        // each partition's events are sealed in a chain of their own, signed with this consumer's key
        // the alert rules run on every batch this consumer stores; their alert.raised events go to the chain
        // alerts:consumer:<host>, their outbox rows are delivered by the service's instances
        final Sealing sealing = Sealing.of(config.getSeal());  // the signing key, loaded once for every chain and the purge records
        final Alerting alerting = Alerting.of(config.getAlerts(), sealing.stores(jdbi, clock, AuditCounts.steps()),
                "consumer:" + hostName(), clock);
        final SealedStores sealed = sealing.stores(jdbi, clock, alerting.steps());
        final AuditConsumers consumers = new AuditConsumers(config.getKafka(),
                partition -> sealed.forChain(SealedStores.kafkaChain(partition.topic(), partition.partition())), clock,
                environment.metrics(), batchHook());
        environment.lifecycle().manage(consumers);
        environment.healthChecks().register("consumers", consumers.healthCheck());
        // the process that writes the store keeps it to its retention period
        environment.lifecycle().manage(new AuditRetention(new AuditPurger(store, sealing.retention(jdbi, clock),
                clock, environment.metrics(), AuditPurger.BATCH_SIZE),
                config.getRetentionDays(), clock, environment.lifecycle().scheduledExecutorService("audit-retention").build(),
                config.getRetentionCheckInterval().toJavaDuration()));
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown-host";
        }
    }

    /** Called after each batch is stored, before its offsets are committed: nothing. Tests override this to break things there. */
    protected AuditConsumerLoop.BatchHook batchHook() {
        return batch -> { };
    }

    /** The clock for everything that depends on time. Tests override this to move time. */
    protected Clock clock() {
        return Clock.systemUTC();
    }
}
