package io.authservice.observability;

import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.request.logging.RequestLogFactory;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.component.ContainerLifeCycle;

import java.util.Set;

/**
 * The configured request log, whatever its layouts ({@code access-text}, {@code access-json}, ...),
 * handed each request with its credentials taken out: the path and query string as
 * {@link UriRedaction} leaves them (so {@code uri}, {@code url}, {@code pathQuery} and
 * {@code requestParameters} are redacted alike), and the values of the credential headers
 * ({@code X-API-Key}, {@code Authorization}, {@code Cookie}, {@code X-Admin-Token}) replaced, should
 * a layout be told to log them.
 */
public final class RedactingRequestLog extends ContainerLifeCycle implements RequestLog {
    /** Request headers whose values are never logged, compared in lower case. */
    public static final Set<String> CREDENTIAL_HEADERS = Set.of("x-api-key", "authorization", "cookie", "x-admin-token");

    private final RequestLog configured;

    public RedactingRequestLog(RequestLog configured) {
        this.configured = configured;
        addBean(configured);
    }

    /** Makes {@code server}'s request log (as configured) a redacting one. Call in {@code Application.run}. */
    public static void install(ServerFactory server) {
        if (server instanceof AbstractServerFactory factory) {
            final RequestLogFactory<?> configured = factory.getRequestLogFactory();
            factory.setRequestLogFactory(new RequestLogFactory<RequestLog>() {
                @Override
                public boolean isEnabled() {
                    return configured.isEnabled();
                }

                @Override
                public RequestLog build(String name) {
                    return new RedactingRequestLog(configured.build(name));
                }
            });
        } else {
            throw new IllegalStateException("cannot redact the request log of a " + server.getClass().getName());
        }
    }

    @Override
    public void log(Request request, Response response) {
        configured.log(new Redacted(request), response);
    }

    private static final class Redacted extends Request.Wrapper {
        private final HttpURI uri;
        private final HttpFields headers;

        Redacted(Request request) {
            super(request);
            final HttpURI original = request.getHttpURI();
            this.uri = HttpURI.build(original)
                    .path(UriRedaction.path(original.getPath()))
                    .query(UriRedaction.query(original.getQuery()))
                    .asImmutable();
            this.headers = redact(request.getHeaders());
        }

        private static HttpFields redact(HttpFields headers) {
            if (headers.stream().noneMatch(field -> CREDENTIAL_HEADERS.contains(field.getLowerCaseName()))) {
                return headers;
            }
            final HttpFields.Mutable redacted = HttpFields.build();
            for (HttpField field : headers) {
                redacted.add(CREDENTIAL_HEADERS.contains(field.getLowerCaseName())
                        ? new HttpField(field.getName(), UriRedaction.REDACTED) : field);
            }
            return redacted.asImmutable();
        }

        @Override
        public HttpURI getHttpURI() {
            return uri;
        }

        @Override
        public HttpFields getHeaders() {
            return headers;
        }
    }
}
