package io.authservice.core;

import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEventTypes;
import io.authservice.testing.AdminClient;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two service instances on one PostgreSQL, each looking for expiring keys every 100 ms: a key
 * expiring within the warning gets one {@code api_key.expiring} event a day between them, and one
 * more when their clocks reach the next day.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiKeyExpiryAcrossInstancesIntegrationTest {
    private static final TestDatabases.Db DB = TestDatabases.newPostgres();
    private static final DropwizardAppExtension<AuthServiceConfiguration> A = instance("a");
    private static final DropwizardAppExtension<AuthServiceConfiguration> B = instance("b");

    private static DropwizardAppExtension<AuthServiceConfiguration> instance(String id) {
        final Path file = Path.of(TestApps.writeInstanceConfig(DB, TestApps.tempDir(), id, "200ms"));
        try {
            Files.writeString(file, Files.readString(file).replace("\napiKeys:\n",
                    "\napiKeys:\n  expiryWarningCheckInterval: 100ms\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DropwizardAppExtension<>(TestAuthServiceApplication.class, file.toString());
    }

    private static TestAuthServiceApplication app(DropwizardAppExtension<AuthServiceConfiguration> instance) {
        return instance.getApplication();
    }

    private static long checks(DropwizardAppExtension<AuthServiceConfiguration> instance) {
        return instance.getEnvironment().metrics().counter("api-keys.expiry-warnings.checks").getCount();
    }

    private static long expiringEvents(long keyId) {
        return List.of(A, B).stream()
                .mapToLong(instance -> app(instance).audit().matching(e -> e.type().equals(AuditEventTypes.API_KEY_EXPIRING)
                        && Long.valueOf(keyId).equals(e.keyId())).size())
                .sum();
    }

    /** Waits until both instances have looked for expiring keys at least twice more from now. */
    private static void bothCheckedTwice() {
        final long a = checks(A);
        final long b = checks(B);
        await().atMost(Duration.ofSeconds(30)).until(() -> checks(A) >= a + 2 && checks(B) >= b + 2);
    }

    @Test
    void twoInstancesRecordOneEventPerKeyPerDay() {
        final long id = new AdminClient(A.client(), A.getAdminPort())
                .json("create-api-key", Map.of("name", "expiring-soon", "expires_in", "5d"))
                .get("api_key").get("id").asLong();

        bothCheckedTwice();
        assertThat(expiringEvents(id)).isEqualTo(1);

        app(A).testClock().advance(Duration.ofDays(1));
        app(B).testClock().advance(Duration.ofDays(1));
        bothCheckedTwice();
        assertThat(expiringEvents(id)).isEqualTo(2);
    }
}
