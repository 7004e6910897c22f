package io.authservice.observability;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdsTest {
    @Test
    void aSaneIdIsKept() {
        assertThat(RequestIds.accept("3f1c2d4e-aaaa-4bbb-8ccc-1234567890ab")).isEqualTo("3f1c2d4e-aaaa-4bbb-8ccc-1234567890ab");
        assertThat(RequestIds.accept("trace:01HZX.span_7")).isEqualTo("trace:01HZX.span_7");
        assertThat(RequestIds.accept("a".repeat(128))).isEqualTo("a".repeat(128));
    }

    @Test
    void anythingElseIsReplacedByANewUuid() {
        for (String bad : new String[] {"", "a".repeat(129), "two words", "line\nbreak", "x\"}", "<script>", "ümlaut", "a/b"}) {
            final String id = RequestIds.accept(bad);
            assertThat(id).as(bad).isNotEqualTo(bad);
            assertThat(UUID.fromString(id).version()).isEqualTo(4);
        }
        assertThat(UUID.fromString(RequestIds.accept(null)).variant()).isEqualTo(2);
    }

    @Test
    void generatedIdsAreDistinctUuidStrings() {
        final Set<String> ids = new HashSet<>();
        IntStream.range(0, 10_000).forEach(i -> ids.add(RequestIds.generate()));
        assertThat(ids).hasSize(10_000).allSatisfy(id -> assertThat(UUID.fromString(id).toString()).isEqualTo(id));
    }
}
