package io.authservice.resources;

import io.authservice.AuthServiceApplication;
import io.authservice.AuthServiceConfiguration;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;

import java.io.IOException;
import java.nio.file.Path;

/** The internal directory endpoints on PostgreSQL (production). */
class PostgresDirectoryEndpointsIntegrationTest extends DirectoryEndpointsIntegrationTest {
    private static final Path DIR = TestApps.tempDir();
    private static final TestDatabases.Db DB = TestDatabases.newPostgres();
    static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            AuthServiceApplication.class, TestApps.configPath(), TestApps.overrides(DB, DIR));

    @Override
    protected DropwizardAppExtension<AuthServiceConfiguration> app() {
        return APP;
    }

    @Override
    protected TestDatabases.Db db() {
        return DB;
    }

}
