package io.authservice.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link OpenApiResource} alone: what it refuses to serve. The served document is checked by {@link OpenApiDocumentTest}. */
class OpenApiResourceTest {
    private static OpenApiResource of(String yaml) {
        return new OpenApiResource(yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKeyWrittenTwiceStopsTheServiceInsteadOfHidingTheFirst() {
        assertThatThrownBy(() -> of("paths:\n  /a: {get: {}}\n  /a: {post: {}}\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not valid YAML")
                .hasMessageContaining("/a");
    }

    @Test
    void aDocumentThatIsNotAMappingIsRefused() {
        assertThatThrownBy(() -> of("- just\n- a list\n")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a YAML mapping");
    }

    @Test
    void theJsonFormIsTheYamlTree() throws IOException {
        final OpenApiResource resource = of("# a comment\nopenapi: \"3.1.0\"\npaths: {}\nx-number: 5\n");
        try (Response yaml = resource.yaml(); Response json = resource.json()) {
            assertThat(new String((byte[]) yaml.getEntity(), StandardCharsets.UTF_8)).startsWith("# a comment\n");
            assertThat(new ObjectMapper().readTree((byte[]) json.getEntity()))
                    .isEqualTo(new ObjectMapper().readTree("{\"openapi\":\"3.1.0\",\"paths\":{},\"x-number\":5}"));
        }
    }
}
