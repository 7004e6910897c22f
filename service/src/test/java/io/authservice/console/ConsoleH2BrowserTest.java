package io.authservice.console;

import io.authservice.AuthServiceConfiguration;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;

/** The console in a real browser on H2, as the embedded default runs it. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ConsoleH2BrowserTest extends ConsoleBrowserContract {
    private static final Path DIR = TestApps.tempDir();
    private static final TestDatabases.Db DB = TestDatabases.newH2(DIR);
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeConfig(DB, DIR, "audit: {sink: direct, retentionDays: 0}"));

    @Override
    protected DropwizardAppExtension<AuthServiceConfiguration> app() {
        return APP;
    }

    @Override
    protected boolean everyPage() {
        return true;
    }

    @Override
    protected TestDatabases.Db db() {
        return DB;
    }
}
