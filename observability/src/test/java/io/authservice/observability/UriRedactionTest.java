package io.authservice.observability;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UriRedactionTest {
    private static final String KEY = "6f1ed002ab5595859014ebf0951522d9a1b2c3d4";

    @Test
    void credentialValuesGoAndEverythingElseStaysAsSent() {
        assertThat(UriRedaction.query("api_key=" + KEY + "&page=2&flag&=x&Token=&name=a%20b"))
                .isEqualTo("api_key=REDACTED&page=2&flag&=x&Token=REDACTED&name=a%20b");
    }

    @Test
    void aParameterNameThatCannotBeDecodedIsComparedAsSent() {
        assertThat(UriRedaction.query("key%zz=1&password=2")).isEqualTo("key%zz=1&password=REDACTED");
    }

    @Test
    void hexRunsOfFortyOrMoreGoAnywhereShorterOnesStay() {
        assertThat(UriRedaction.path("/a/" + KEY + "/b")).isEqualTo("/a/REDACTED/b");
        assertThat(UriRedaction.path("/a/" + KEY + "ff")).isEqualTo("/a/REDACTED");
        assertThat(UriRedaction.path("/a/" + KEY.substring(1))).isEqualTo("/a/" + KEY.substring(1));
        assertThat(UriRedaction.query("fingerprint=" + KEY.substring(8) + "&x=" + KEY.toUpperCase()))
                .isEqualTo("fingerprint=" + KEY.substring(8) + "&x=REDACTED");
    }

    @Test
    void nothingStaysNothing() {
        assertThat(UriRedaction.query(null)).isNull();
        assertThat(UriRedaction.query("")).isEmpty();
        assertThat(UriRedaction.path(null)).isNull();
    }
}
