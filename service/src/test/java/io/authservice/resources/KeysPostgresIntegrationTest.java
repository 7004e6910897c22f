package io.authservice.resources;

import io.authservice.AuthServiceConfiguration;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;

/** The keys API on PostgreSQL, as production runs it. */
@ExtendWith(DropwizardExtensionsSupport.class)
class KeysPostgresIntegrationTest extends KeysApiContract {
    private static final Path DIR = TestApps.tempDir();
    private static final TestDatabases.Db DB = TestDatabases.newPostgres();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeConfig(DB, DIR, "audit: {sink: direct}"));

    @Override
    protected DropwizardAppExtension<AuthServiceConfiguration> app() {
        return APP;
    }
}
