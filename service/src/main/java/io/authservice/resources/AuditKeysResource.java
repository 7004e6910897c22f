package io.authservice.resources;

import io.authservice.audit.seal.SealKeyRing;
import io.authservice.audit.seal.SealKeys;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/**
 * {@code GET /.well-known/audit-keys.json}: the Ed25519 public keys that verify the sealed audit
 * trail's digests ({@code {"keys":[{"kid":..,"alg":"Ed25519","public_key":<base64 X.509>}]}}), so a
 * verifier outside the service can check an export. Public; cacheable for 5 minutes.
 */
@Path("/.well-known/audit-keys.json")
public final class AuditKeysResource {
    private final Map<String, Object> keys;

    public AuditKeysResource(SealKeyRing ring) {
        this.keys = Map.of("keys", ring.keys().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(key -> Map.of("kid", key.getKey(), "alg", "Ed25519", "public_key", SealKeys.base64(key.getValue())))
                .toList());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response keys() {
        return Response.ok(keys).header(HttpHeaders.CACHE_CONTROL, "public, max-age=300").build();
    }

}
