package io.authservice.cli;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.AuthServiceConfiguration;
import io.authservice.ServiceGraph;
import io.authservice.audit.AuditLog;
import io.authservice.audit.AuditStore;
import io.authservice.audit.Slf4jAuditLog;
import io.authservice.config.AuditConfig;
import io.authservice.db.Databases;
import io.dropwizard.db.ManagedDataSource;
import org.jdbi.v3.core.Jdbi;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * A command's objects: the {@link ServiceGraph} the server builds too, on a connection pool of the
 * command's own and with the command's audit seam ({@link #auditLog}). Closing it closes the pool.
 */
public final class CommandContext implements AutoCloseable {
    private final ManagedDataSource dataSource;
    private final ServiceGraph graph;

    CommandContext(AuthServiceConfiguration config, ObjectMapper json, Clock clock) {
        this.dataSource = Databases.prepare(config.getDatabase()).build(new MetricRegistry(), "command");
        this.graph = ServiceGraph.build(config, Databases.configure(Jdbi.create(dataSource)), clock, new MetricRegistry(),
                json, new SecureRandom(), store -> auditLog(config, store));
    }

    /**
     * A command's few events go straight into the audit store (in this database) under both the
     * direct and the kafka sink, where the consumer writes too, each event id once: a one-shot
     * command starts no Kafka producer. The log sink stores nothing, by choice.
     */
    private static AuditLog auditLog(AuthServiceConfiguration config, AuditStore store) {
        return config.getAudit().getSink() == AuditConfig.Sink.log ? new Slf4jAuditLog() : new StoreAuditLog(store);
    }

    /** The services, built as the server builds them. */
    public ServiceGraph graph() {
        return graph;
    }

    /** The parsed configuration the command was started with. */
    public AuthServiceConfiguration config() {
        return graph.config();
    }

    public ObjectMapper json() {
        return graph.json();
    }

    @Override
    public void close() throws Exception {
        dataSource.stop();
    }
}
