package io.authservice.cli;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.AuthServiceConfiguration;
import io.authservice.InstanceIds;
import io.authservice.audit.AuditLog;
import io.authservice.audit.AuditStore;
import io.authservice.audit.Slf4jAuditLog;
import io.authservice.config.AuditConfig;
import io.authservice.core.ApiKeyReports;
import io.authservice.core.ApiKeySecrets;
import io.authservice.core.ApiKeyService;
import io.authservice.db.Databases;
import io.authservice.seal.AuditSeals;
import io.dropwizard.db.ManagedDataSource;
import org.jdbi.v3.core.Jdbi;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * What a command needs, built from the configuration as the service builds it: the database
 * (migrated if so configured), the clock, the audit log and the lifecycle services. Closing it
 * closes the connection pool.
 */
public final class CommandContext implements AutoCloseable {
    private final AuthServiceConfiguration config;
    private final ManagedDataSource dataSource;
    private final Jdbi jdbi;
    private final Clock clock;
    private final AuditLog audit;
    private final ObjectMapper json;
    private final SecureRandom random;
    private final String instanceId;
    private final ApiKeyService apiKeys;
    private final ApiKeyReports apiKeyReports;

    CommandContext(AuthServiceConfiguration config, ObjectMapper json) {
        this.config = config;
        this.dataSource = Databases.prepare(config.getDatabase()).build(new MetricRegistry(), "command");
        this.jdbi = Databases.configure(Jdbi.create(dataSource));
        if (config.isMigrateOnStart()) {
            Databases.migrate(jdbi);
        }
        this.clock = Clock.systemUTC();
        // a command's few events go straight into the audit store (in this database) under both the
        // direct and the kafka sink, where the consumer writes too, each event id once: a one-shot
        // command starts no Kafka producer. The log sink stores nothing, by choice. They are sealed in the
        // direct chain of this host, with the key the service on it uses.
        this.audit = config.getAudit().getSink() == AuditConfig.Sink.log
                ? new Slf4jAuditLog() : new StoreAuditLog(AuditSeals.directStore(jdbi, config, clock));
        this.json = json;
        this.random = new SecureRandom();
        this.instanceId = InstanceIds.of(config);
        this.apiKeys = new ApiKeyService(jdbi, new ApiKeySecrets(random), clock, audit,
                config.getApiKeys().getDefaultScopes(), instanceId);
        this.apiKeyReports = new ApiKeyReports(clock);
    }

    /** The parsed configuration the command was started with. */
    public AuthServiceConfiguration config() {
        return config;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public Clock clock() {
        return clock;
    }

    public AuditLog audit() {
        return audit;
    }

    public ObjectMapper json() {
        return json;
    }

    public SecureRandom random() {
        return random;
    }

    /** Names this process in audit events. */
    public String instanceId() {
        return instanceId;
    }

    public ApiKeyService apiKeys() {
        return apiKeys;
    }

    public ApiKeyReports apiKeyReports() {
        return apiKeyReports;
    }

    @Override
    public void close() throws Exception {
        dataSource.stop();
    }
}
