package io.authservice.core;

/** A service that authenticated with an API key. */
public record ServiceCaller(ApiKey key) implements Caller {

    @Override
    public String getName() {
        return key.name();
    }

    @Override
    public boolean holds(String scope) {
        return key.hasScope(scope);
    }
}
