package io.authservice.resources;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/openapi.yaml} and {@code /api/v1/openapi.json}: the OpenAPI document of the
 * public API, so a downstream team can read it or generate a client. The document is the
 * hand-maintained {@value #DOCUMENT} on the classpath (a test keeps it true to the registered
 * resources); the JSON form is the same tree, converted once at start. Public: with no
 * {@code @Auth}, {@code @RolesAllowed} or {@code @PermitAll} here, the credential chain is not
 * registered on these methods.
 */
@Path("/api/v1")
public final class OpenApiResource {
    /** The document's classpath location. */
    public static final String DOCUMENT = "/openapi.yaml";
    /** RFC 9512's media type for YAML. */
    public static final String APPLICATION_YAML = "application/yaml";
    private static final String CACHE_CONTROL = "public, max-age=300";

    private final byte[] yaml;
    private final byte[] json;

    OpenApiResource(byte[] yaml) {
        this.yaml = yaml.clone();
        this.json = toJson(yaml);
    }

    /**
     * Reads {@value #DOCUMENT} from the classpath.
     *
     * @throws IllegalStateException when it is missing or not YAML (the service does not start)
     */
    public static OpenApiResource load() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document " + DOCUMENT + " is not on the classpath");
            }
            return new OpenApiResource(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the OpenAPI document " + DOCUMENT, e);
        }
    }

    @GET
    @Path("openapi.yaml")
    @Produces(APPLICATION_YAML)
    public Response yaml() {
        return Response.ok(yaml, APPLICATION_YAML).header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL).build();
    }

    @GET
    @Path("openapi.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Response json() {
        return Response.ok(json, MediaType.APPLICATION_JSON_TYPE).header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL).build();
    }

    /** The YAML document as JSON; a duplicated key (a path written twice) is refused, not silently merged. */
    private static byte[] toJson(byte[] yaml) {
        try {
            final JsonNode tree = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build()
                    .readTree(yaml);
            if (tree == null || !tree.isObject()) {
                throw new IllegalStateException("the OpenAPI document " + DOCUMENT + " is not a YAML mapping");
            }
            return new ObjectMapper().writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException("the OpenAPI document " + DOCUMENT + " is not valid YAML: " + e.getMessage(), e);
        }
    }
}
