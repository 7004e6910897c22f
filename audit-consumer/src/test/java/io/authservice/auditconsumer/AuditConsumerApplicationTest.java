package io.authservice.auditconsumer;

import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit-consumer skeleton starts and answers on its admin port. */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditConsumerApplicationTest {
    private static final DropwizardAppExtension<AuditConsumerConfiguration> APP = new DropwizardAppExtension<>(
            AuditConsumerApplication.class, ResourceHelpers.resourceFilePath("test-config.yml"));

    @Test
    void startsAndAnswersOnItsAdminPort() {
        try (Response ping = APP.client().target("http://127.0.0.1:" + APP.getAdminPort() + "/ping").request().get()) {
            assertThat(ping.getStatus()).isEqualTo(200);
        }
        assertThat(APP.getApplication().getName()).isEqualTo("audit-consumer");
    }
}
