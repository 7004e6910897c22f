package io.authservice.observability;

import ch.qos.logback.access.common.spi.IAccessEvent;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.pattern.PatternLayoutBase;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.logging.common.layout.DiscoverableLayoutFactory;
import io.dropwizard.request.logging.layout.LogbackAccessRequestLayout;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TimeZone;

/**
 * Layout type {@code access-text} for the request log: Dropwizard's default request log line, then
 * the value of each of {@code responseHeaders} (for us {@code X-Request-Id}), space-separated, or
 * {@code -} where a response lacks one. The counterpart of Dropwizard's {@code access-json}, which
 * takes the same {@code responseHeaders} setting, so that config.yml switches the request log with
 * one substituted variable ({@code type: access-${AUTH_LOG_FORMAT:-text}}).
 */
@JsonTypeName("access-text")
public final class AccessTextLayoutFactory implements DiscoverableLayoutFactory<IAccessEvent> {
    private Set<String> responseHeaders = Set.of();

    @JsonProperty
    public Set<String> getResponseHeaders() {
        return responseHeaders;
    }

    @JsonProperty
    public void setResponseHeaders(Set<String> responseHeaders) {
        this.responseHeaders = new LinkedHashSet<>(responseHeaders);
    }

    @Override
    public PatternLayoutBase<IAccessEvent> build(LoggerContext context, TimeZone timeZone) {
        final LogbackAccessRequestLayout layout = new LogbackAccessRequestLayout(context, timeZone);
        final StringBuilder pattern = new StringBuilder(layout.getPattern());
        for (String header : responseHeaders) {
            // logback-access prints a missing header as "null"; request logs say "-"
            pattern.append(" %replace(%responseHeader{").append(header).append("}){'^null$', '-'}");
        }
        layout.setPattern(pattern.toString());
        return layout;
    }
}
