package io.authservice.auditconsumer;

import io.dropwizard.core.Configuration;

/** The audit-consumer's configuration; see audit-consumer/config.yml. */
public class AuditConsumerConfiguration extends Configuration {
}
