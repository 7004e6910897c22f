package io.authservice.auth;

/**
 * An access token presented with a request ({@code Authorization: Bearer} or the access cookie),
 * with where the request came from. The token is a secret: never logged, stored or passed on.
 */
public record JwtCredentials(String token, Origin origin) {
    @Override
    public String toString() {
        return "JwtCredentials[token=<redacted>]";
    }
}
