package io.authservice.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** A public endpoint that does nothing: the baseline for measuring what authentication costs. */
@Path("/api/v1/ping")
@Produces(MediaType.APPLICATION_JSON)
public final class PingResource {
    private static final Map<String, String> PONG = Map.of("status", "ok");

    @GET
    public Map<String, String> ping() {
        return PONG;
    }
}
