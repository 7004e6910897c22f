package io.authservice.auditconsumer;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.audit.alert.AlertConfig;
import io.authservice.audit.AuditRetention;
import io.authservice.audit.seal.SealConfig;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

/** The audit-consumer's configuration; see audit-consumer/config.yml. */
public class AuditConsumerConfiguration extends Configuration {
    /** The audit store. */
    @Valid
    @NotNull
    /** Sealing of the batches this consumer stores (one chain per partition) and the keys it trusts. */
    @JsonProperty
    private SealConfig seal = new SealConfig();

    /** The alert rules run on the batches this consumer stores (the service's instances deliver the alerts). */
    @JsonProperty
    private AlertConfig alerts = new AlertConfig();

    @JsonProperty
    private DataSourceFactory database = new DataSourceFactory();

    /** Apply the audit store's pending Liquibase migrations on start. */
    @JsonProperty
    private boolean migrateOnStart = true;

    @Valid
    @NotNull
    @JsonProperty
    private ConsumerKafkaConfig kafka = new ConsumerKafkaConfig();

    /** Events and dead letters older than this many days are deleted, daily; 0 keeps them forever. */
    @Min(0)
    @Max(36_500)
    @JsonProperty
    private int retentionDays = AuditRetention.DEFAULT_DAYS;

    /** How often to check whether a day has passed since the last purge; the first purge runs this long after start, at most a minute. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration retentionCheckInterval = Duration.hours(1);

    public DataSourceFactory getDatabase() {
        return database;
    }

    public boolean isMigrateOnStart() {
        return migrateOnStart;
    }

    public ConsumerKafkaConfig getKafka() {
        return kafka;
    }

    public int getRetentionDays() {
        return retentionDays;
    }

    public Duration getRetentionCheckInterval() {
        return retentionCheckInterval;
    }

    public AlertConfig getAlerts() {
        return alerts;
    }

    public void setAlerts(AlertConfig alerts) {
        this.alerts = alerts;
    }

    public SealConfig getSeal() {
        return seal;
    }
}
