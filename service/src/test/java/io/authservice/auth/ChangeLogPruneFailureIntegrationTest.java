package io.authservice.auth;

import io.authservice.AuthServiceConfiguration;
import io.authservice.db.Databases;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On PostgreSQL whose {@code api_key_changes} refuses every delete (a trigger, standing in for a
 * prune that fails: a lock timeout, a lost connection), the revocation poller still applies every
 * change it reads: a failed prune loses none of a poll's invalidations.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ChangeLogPruneFailureIntegrationTest {
    private static final TestDatabases.Db DB = refusingDeletes(TestDatabases.newPostgres());
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeInstanceConfig(DB, TestApps.tempDir(), "prune", "200ms"));

    @Test
    void aKeyChangedElsewhereIsSeenWhilePruningFails() {
        final String key = "c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9";
        assertThat(status(key)).as("unknown, and cached as unknown").isEqualTo(401);

        TestApps.importKey(DB, "prune-failure", key, ((TestAuthServiceApplication) APP.getApplication()).testClock()); // as another instance or a command would store it

        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(() -> status(key) == 200);
    }

    private static TestDatabases.Db refusingDeletes(TestDatabases.Db db) {
        final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        jdbi.useHandle(handle -> {
            handle.execute("CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN RAISE EXCEPTION 'deleting from api_key_changes is refused by the test'; END $$");
            handle.execute("CREATE TRIGGER refuse_delete BEFORE DELETE ON api_key_changes "
                    + "FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete()");
        });
        return db;
    }

    private static int status(String key) {
        try (Response response = APP.client().target("http://127.0.0.1:" + APP.getLocalPort() + "/api/v1/whoami/")
                .request().header("X-API-Key", key).get()) {
            return response.getStatus();
        }
    }
}
