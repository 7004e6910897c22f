package io.authservice.testing;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Configuration for running the whole service in a test with {@code DropwizardAppExtension}. */
public final class TestApps {
    /** The admin token every test app uses. */
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

    private TestApps() {
    }

    /** The test configuration file (random ports, quiet logs). */
    public static String configPath() {
        return ResourceHelpers.resourceFilePath("test-config.yml");
    }

    /** Overrides that point the service at {@code db}, with its admin token file in {@code dataDir}. */
    public static ConfigOverride[] overrides(TestDatabases.Db db, Path dataDir, ConfigOverride... more) {
        final List<ConfigOverride> all = new ArrayList<>(List.of(
                ConfigOverride.config("database.driverClass", db.driverClass()),
                ConfigOverride.config("database.url", db.url()),
                ConfigOverride.config("database.user", db.user()),
                ConfigOverride.config("database.password", db.password()),
                ConfigOverride.config("adminAccess.tokenFile", dataDir.resolve("admin-token").toString())));
        all.addAll(Arrays.asList(more));
        return all.toArray(new ConfigOverride[0]);
    }
}
