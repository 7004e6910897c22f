package io.authservice.core;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DjangoCsvTest {
    @Test
    void readsDjangosBooleanForms() {
        for (String yes : List.of("True", "true", "t", "T", "1")) {
            assertThat(DjangoCsv.parseBoolean(yes, false, "")).as(yes).isTrue();
        }
        for (String no : List.of("False", "false", "f", "F", "0")) {
            assertThat(DjangoCsv.parseBoolean(no, true, "")).as(no).isFalse();
        }
        assertThat(DjangoCsv.parseBoolean("", true, "")).isTrue();
        assertThatThrownBy(() -> DjangoCsv.parseBoolean("maybe", true, "line 4: "))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("line 4: not a boolean");
    }

    @Test
    void readsDjangoAndIsoTimestamps() {
        final Instant expected = Instant.parse("2024-01-15T10:30:00.123456Z");
        assertThat(DjangoCsv.parseTimestamp("2024-01-15 10:30:00.123456+00:00", "")).isEqualTo(expected);
        assertThat(DjangoCsv.parseTimestamp("2024-01-15 10:30:00.123456+00", "")).isEqualTo(expected);
        assertThat(DjangoCsv.parseTimestamp("2024-01-15 10:30:00.123456", "")).isEqualTo(expected);
        assertThat(DjangoCsv.parseTimestamp("2024-01-15T10:30:00.123456Z", "")).isEqualTo(expected);
        assertThat(DjangoCsv.parseTimestamp("2024-01-15 12:30:00.123456+02:00", "")).isEqualTo(expected);
        assertThat(DjangoCsv.parseTimestamp("2024-01-15 10:30:00", "")).isEqualTo(Instant.parse("2024-01-15T10:30:00Z"));
        assertThat(DjangoCsv.parseTimestamp("", "")).isNull();
        assertThatThrownBy(() -> DjangoCsv.parseTimestamp("15/01/2024", "line 2: "))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("line 2: not a timestamp");
    }

    @Test
    void readsRowsByHeaderWithLineNumbersAndQuotedCommas() {
        final List<DjangoCsv.Row> rows = DjangoCsv.read(new StringReader(
                "name,key,is_active\n\"HDTS, prod\",abc,True\nworker,def,f\n"), List.of("name", "key"));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).line()).isEqualTo(2);
        assertThat(rows.get(0).get("name")).isEqualTo("HDTS, prod");
        assertThat(rows.get(1).get("is_active")).isEqualTo("f");
        assertThat(rows.get(1).get("absent")).isEmpty();
    }

    @Test
    void aMissingRequiredColumnIsNamed() {
        assertThatThrownBy(() -> DjangoCsv.read(new StringReader("name,secret\nx,y\n"), List.of("name", "key")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'key'");
    }
}
