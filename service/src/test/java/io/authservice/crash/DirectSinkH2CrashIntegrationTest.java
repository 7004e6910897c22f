package io.authservice.crash;

import io.authservice.testing.TestDatabases;

import java.nio.file.Path;
import java.util.Map;

/** {@link AuditCrashContract} on the embedded default: the direct sink into the H2 file under {@code ./data}. */
class DirectSinkH2CrashIntegrationTest extends AuditCrashContract {
    @Override
    protected Map<String, String> environment(Path workDir) {
        return Map.of();
    }

    @Override
    protected TestDatabases.Db store(Path workDir) {
        return TestDatabases.newH2(workDir.resolve("data"));
    }
}
