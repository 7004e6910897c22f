package io.authservice.auditconsumer;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;

/**
 * Reads audit events from Kafka and writes them into the audit store, each exactly once. This is
 * the runnable skeleton (admin port, health checks, metrics); the consumer loop arrives with the
 * audit pipeline.
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
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @Override
    public void run(AuditConsumerConfiguration configuration, Environment environment) {
        // the consumer loop, the audit store and their health checks are added by the audit pipeline work
    }
}
