package io.authservice.crash;

import io.authservice.testing.TestDatabases;

import java.util.Map;

/** {@link KeyCrashContract} on PostgreSQL (the embedded server of the test JVM). */
class KeyCrashPostgresIntegrationTest extends KeyCrashContract {
    @Override
    protected Map<String, String> database() {
        return TestDatabases.newPostgres().environment();
    }
}
