package io.authservice.auth;

import io.authservice.AuthServiceConfiguration;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link ApiKeyAuthenticationContract} on PostgreSQL. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiKeyAuthenticationPostgresIntegrationTest extends ApiKeyAuthenticationContract {
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.configPath(),
            TestApps.overrides(TestDatabases.newPostgres(), TestApps.tempDir()));

    @Override
    protected DropwizardAppExtension<AuthServiceConfiguration> app() {
        return APP;
    }

}
