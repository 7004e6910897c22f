package io.authservice.auth;

/**
 * A presented key could not be looked up: it is not cached and the key store cannot be read. The
 * key filter answers 503 with {@code Retry-After}: an outage is neither a bad key (401) nor a fault
 * of the request (500).
 */
public final class KeyStoreUnavailableException extends RuntimeException {
    public KeyStoreUnavailableException(RuntimeException cause) {
        super("the API key store cannot be read", cause);
    }
}
