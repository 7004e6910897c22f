package io.authservice.crash;

import io.authservice.testing.TestDatabases;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** {@link AuditCrashContract} with the direct sink into PostgreSQL (the embedded server of the test JVM). */
class DirectSinkPostgresCrashIntegrationTest extends AuditCrashContract {
    private final Map<Path, TestDatabases.Db> databases = new HashMap<>();

    @Override
    protected Map<String, String> environment(Path workDir) {
        return store(workDir).environment();
    }

    @Override
    protected TestDatabases.Db store(Path workDir) {
        return databases.computeIfAbsent(workDir, dir -> TestDatabases.newPostgres());
    }
}
