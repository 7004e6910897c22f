package io.authservice.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.LayoutBase;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

class TextLayoutFactoryTest {
    private final LoggerContext context = new LoggerContext();

    @Test
    void aLineLoggedDuringARequestNamesItsIdAfterTheTime() {
        final String line = format(Map.of(RequestIds.MDC_KEY, "req-42"));
        assertThat(line).matches("INFO  \\[\\d{4}-\\d\\d-\\d\\d [^]]+] \\[req-42] io\\.authservice\\.Example: hello\\R");
    }

    @Test
    void otherLinesAreDropwizardsDefault() {
        assertThat(format(Map.of())).matches("INFO  \\[\\d{4}-\\d\\d-\\d\\d [^]]+] io\\.authservice\\.Example: hello\\R");
    }

    private String format(Map<String, String> mdc) {
        final LayoutBase<ch.qos.logback.classic.spi.ILoggingEvent> layout = new TextLayoutFactory().build(context, TimeZone.getTimeZone("UTC"));
        layout.start();
        final LoggingEvent event = new LoggingEvent("test", context.getLogger("io.authservice.Example"), Level.INFO, "hello", null, null);
        event.setMDCPropertyMap(mdc);
        return layout.doLayout(event);
    }
}
