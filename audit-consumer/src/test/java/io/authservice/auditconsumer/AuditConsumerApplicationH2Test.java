package io.authservice.auditconsumer;

import io.authservice.auditconsumer.testing.TestConfigs;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.extension.ExtendWith;

/** The audit-consumer on an H2 file, as the embedded default runs it. */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditConsumerApplicationH2Test extends AuditConsumerApplicationContract {
    private static final Setup SETUP = Setup.start(TestConfigs.Store::h2);
    private static final DropwizardAppExtension<AuditConsumerConfiguration> APP = SETUP.app();

    @Override
    protected Setup setup() {
        return SETUP;
    }
}
