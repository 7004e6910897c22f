package io.authservice.auditconsumer;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** The audit-consumer's configuration; see audit-consumer/config.yml. */
public class AuditConsumerConfiguration extends Configuration {
    /** The audit store. */
    @Valid
    @NotNull
    @JsonProperty
    private DataSourceFactory database = new DataSourceFactory();

    /** Apply the audit store's pending Liquibase migrations on start. */
    @JsonProperty
    private boolean migrateOnStart = true;

    @Valid
    @NotNull
    @JsonProperty
    private ConsumerKafkaConfig kafka = new ConsumerKafkaConfig();

    public DataSourceFactory getDatabase() {
        return database;
    }

    public boolean isMigrateOnStart() {
        return migrateOnStart;
    }

    public ConsumerKafkaConfig getKafka() {
        return kafka;
    }
}
