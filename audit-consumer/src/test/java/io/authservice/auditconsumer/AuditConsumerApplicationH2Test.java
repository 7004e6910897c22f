package io.authservice.auditconsumer;

import io.authservice.audit.testing.TestKafka;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;

/** The audit-consumer on an H2 file, as the embedded default runs it. */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditConsumerApplicationH2Test extends AuditConsumerApplicationContract {
    private static final String TOPIC = "audit-app-test";
    private static final TestKafka KAFKA = startKafka();
    private static final Path DIR = TestConfigs.tempDir();
    private static final TestConfigs.Store STORE = TestConfigs.Store.h2(DIR);
    private static final DropwizardAppExtension<AuditConsumerConfiguration> APP = new DropwizardAppExtension<>(
            AuditConsumerApplication.class, TestConfigs.write(DIR, STORE, KAFKA.bootstrapServers(), TOPIC, "app-test"));

    private static TestKafka startKafka() {
        final TestKafka kafka = TestKafka.start();
        kafka.createTopic(TOPIC, 3);
        return kafka;
    }

    @AfterAll
    static void stopKafka() {
        KAFKA.close();
    }

    @Override
    protected DropwizardAppExtension<AuditConsumerConfiguration> app() {
        return APP;
    }

    @Override
    protected TestKafka kafka() {
        return KAFKA;
    }

    @Override
    protected TestConfigs.Store store() {
        return STORE;
    }

    @Override
    protected String topic() {
        return TOPIC;
    }
}
