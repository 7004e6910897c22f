package io.authservice.auth;

/**
 * The value of a request's {@code X-API-Key} header, with the attempt it belongs to. The value is
 * a secret: it is never logged, stored or passed on.
 */
public record ApiKeyCredentials(String presented, AuthAttempt attempt) {
    @Override
    public String toString() {
        return "ApiKeyCredentials[presented=<redacted>]";
    }
}
