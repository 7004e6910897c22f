package io.authservice.auditconsumer;

import io.authservice.auditconsumer.testing.TestConfigs;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.extension.ExtendWith;

/** The audit-consumer on PostgreSQL, as production runs it. */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditConsumerApplicationPostgresTest extends AuditConsumerApplicationContract {
    private static final Setup SETUP = Setup.start(dir -> TestConfigs.Store.postgres());
    private static final DropwizardAppExtension<AuditConsumerConfiguration> APP = SETUP.app();

    @Override
    protected Setup setup() {
        return SETUP;
    }
}
