package io.authservice.auth;

import io.authservice.AuthServiceConfiguration;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;

/** {@link KeyPoliciesContract} on H2, the embedded default. */
@ExtendWith(DropwizardExtensionsSupport.class)
class KeyPoliciesH2IntegrationTest extends KeyPoliciesContract {
    private static final Path DIR = TestApps.tempDir();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeConfig(TestDatabases.newH2(DIR), DIR, CONFIG));

    @Override
    protected DropwizardAppExtension<AuthServiceConfiguration> app() {
        return APP;
    }
}
