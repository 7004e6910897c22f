package io.authservice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.authservice.core.ApiKey;
import io.authservice.core.ServiceCaller;
import io.authservice.core.UserCaller;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/whoami/}'s answer, as downstream services read it, pinned by fixtures (wire/http/whoami-*.json). */
class WhoAmIWireFormatTest {
    private static final ObjectMapper MAPPER = Jackson.newObjectMapper();
    private static final Instant T = Instant.parse("2025-06-01T12:00:00Z");

    @Test
    void aServiceAnswersAsItsFixture() throws IOException {
        final ApiKey key = new ApiKey(42, "TTS-Backend", "ab12cd34", "hash",
                Set.of("users:read", "employees:read", "users-info:read"), true, T, null, null, null, T, null);

        assertThat(wire(WhoAmI.of(new ServiceCaller(key)))).isEqualTo(fixture("whoami-service.json"));
    }

    @Test
    void aPersonAnswersAsItsFixture() throws IOException {
        final UserCaller alice = new UserCaller(7, "alice", "alice@example.com", List.of("admin", "agent"));

        assertThat(wire(WhoAmI.of(alice))).isEqualTo(fixture("whoami-user.json"));
    }

    /** The answer as it goes on the wire (text), read back as a tree. */
    private static JsonNode wire(WhoAmI answer) throws IOException {
        return MAPPER.readTree(MAPPER.writeValueAsString(answer));
    }

    private static JsonNode fixture(String name) throws IOException {
        try (InputStream in = WhoAmIWireFormatTest.class.getResourceAsStream("/wire/http/" + name)) {
            assertThat(in).as(name).isNotNull();
            return MAPPER.readTree(in);
        }
    }
}
