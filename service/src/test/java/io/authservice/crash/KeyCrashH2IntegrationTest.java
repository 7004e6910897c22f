package io.authservice.crash;

import java.util.Map;

/** {@link KeyCrashContract} on the embedded default: the H2 file {@code ./data/auth} of the shipped config. */
class KeyCrashH2IntegrationTest extends KeyCrashContract {
    @Override
    protected Map<String, String> database() {
        return Map.of();
    }
}
