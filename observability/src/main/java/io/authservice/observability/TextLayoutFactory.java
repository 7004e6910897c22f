package io.authservice.observability;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.PatternLayoutBase;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.logging.common.DropwizardLayout;
import io.dropwizard.logging.common.layout.DiscoverableLayoutFactory;

import java.util.TimeZone;

/**
 * Layout type {@code text}: Dropwizard's default log line, with the request id (from the MDC, see
 * {@link RequestIds#MDC_KEY}) after the time when the line was logged while serving a request.
 * Dropwizard names no type for its default layout, only {@code json}; this one lets config.yml
 * choose between the two with one substituted variable ({@code layout: {type: ${AUTH_LOG_FORMAT:-text}}}).
 * As with the default, an appender's {@code logFormat} replaces the pattern.
 */
@JsonTypeName("text")
public final class TextLayoutFactory implements DiscoverableLayoutFactory<ILoggingEvent> {

    @Override
    public PatternLayoutBase<ILoggingEvent> build(LoggerContext context, TimeZone timeZone) {
        final DropwizardLayout layout = new DropwizardLayout(context, timeZone);
        layout.setPattern("%-5p [%d{ISO8601," + timeZone.getID() + "}] "
                + "%replace([%X{" + RequestIds.MDC_KEY + "}] ){'^\\[\\] $', ''}%c: %m%n%dwREx");
        return layout;
    }
}
