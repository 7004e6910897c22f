package io.authservice.console;

import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.ConfiguredBundle;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Swagger UI for the OpenAPI document at {@value #PATH}, so a downstream team can try the API from a
 * browser: our page and initializer (from {@code api-docs/} on the classpath, no inline script) and
 * Swagger UI's files from its WebJar at {@value #UI_PATH}, in whatever version the parent pom pins.
 * The answers carry the console's headers, with inline styles allowed (Swagger UI sets some).
 */
public final class ApiDocsBundle implements ConfiguredBundle<Configuration> {
    public static final String PATH = "/api/v1/docs/";
    public static final String UI_PATH = PATH + "ui/";
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
            + "base-uri 'none'; form-action 'self'";
    private static final String WEBJAR = "org.webjars/swagger-ui";

    private final AssetsBundle page = new AssetsBundle("/api-docs/", PATH, "index.html", "api-docs");
    private final AssetsBundle ui = new AssetsBundle("/META-INF/resources/webjars/swagger-ui/" + webjarVersion() + "/",
            UI_PATH, null, "api-docs-ui");

    @Override
    public void initialize(Bootstrap<?> bootstrap) {
        page.initialize(bootstrap);
        ui.initialize(bootstrap);
    }

    @Override
    public void run(Configuration configuration, Environment environment) {
        page.run(configuration, environment);
        ui.run(configuration, environment);
        final Map<String, String> headers = new HashMap<>(ConsoleHeadersFilter.HEADERS);
        headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        environment.servlets().addFilter("api-docs-headers", new HttpFilter() {
            @Override
            protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws IOException, ServletException {
                headers.forEach(response::setHeader);
                chain.doFilter(request, response);
            }
        }).addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, PATH + "*", "/api/v1/docs");
    }

    /** The WebJar's version, from the Maven metadata it carries, so that the pom alone pins it. */
    static String webjarVersion() {
        try (InputStream in = ApiDocsBundle.class.getResourceAsStream("/META-INF/maven/" + WEBJAR + "/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the swagger-ui WebJar is not on the class path");
            }
            final Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
