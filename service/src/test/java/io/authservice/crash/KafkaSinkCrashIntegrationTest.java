package io.authservice.crash;

import io.authservice.audit.testing.TestKafka;
import io.authservice.auditconsumer.AuditConsumerApplication;
import io.authservice.auditconsumer.AuditConsumerConfiguration;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.DropwizardTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link AuditCrashContract} with the kafka sink as production runs it: a real broker (the test JVM's shared one), and the
 * audit-consumer (in the test JVM) storing into the PostgreSQL database the service uses.
 */
class KafkaSinkCrashIntegrationTest extends AuditCrashContract {
    private static final String TOPIC = "audit-crash";
    private static final TestDatabases.Db DB = TestDatabases.newPostgres();
    private static TestKafka kafka;
    private static DropwizardTestSupport<AuditConsumerConfiguration> consumer;

    @BeforeAll
    static void startTheBrokerAndTheConsumer() throws Exception {
        kafka = TestKafka.shared().createTopic(TOPIC, 3);
        consumer = new DropwizardTestSupport<>(AuditConsumerApplication.class, TestConfigs.write(TestConfigs.tempDir(),
                new TestConfigs.Store(DB.driverClass(), DB.url(), DB.user(), DB.password()), kafka.bootstrapServers(), TOPIC,
                "crash"));
        consumer.before();
    }

    @AfterAll
    static void stopTheConsumer() {
        if (consumer != null) {
            consumer.after();
        }
    }

    @Override
    protected Map<String, String> environment(Path workDir) {
        final Map<String, String> env = new HashMap<>(DB.environment());
        env.put("AUTH_AUDIT_SINK", "kafka");
        env.put("AUTH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("AUTH_AUDIT_TOPIC", TOPIC);
        return env;
    }

    @Override
    protected TestDatabases.Db store(Path workDir) {
        return DB;
    }
}
