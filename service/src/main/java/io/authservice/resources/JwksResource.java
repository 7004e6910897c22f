package io.authservice.resources;

import io.authservice.auth.JwtKeys;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/**
 * {@code GET /.well-known/jwks.json}: the public keys that verify this service's tokens, each with
 * its {@code kid}, so downstream services can check tokens themselves. Public; cacheable for 5 minutes.
 */
@Path("/.well-known/jwks.json")
public final class JwksResource {
    private final Map<String, Object> jwks;

    public JwksResource(JwtKeys keys) {
        this.jwks = keys.publicJwks();
    }

    @GET
    @Produces({"application/jwk-set+json", "application/json"})
    public Response jwks() {
        return Response.ok(jwks).header(HttpHeaders.CACHE_CONTROL, "public, max-age=300").build();
    }
}
