package io.authservice.console;

import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.ConfiguredBundle;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import jakarta.servlet.DispatcherType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Properties;

/**
 * Static browser pages on the application port: our own files from the classpath, a library's files
 * from its WebJar beside them, and {@link ConsoleHeadersFilter} on every answer under the path. Two
 * are served, both clients of the public JSON API holding no data of their own:
 * <ul>
 *   <li>{@link #console()}: the security team's console at {@value #CONSOLE_PATH} (from
 *       {@code console/}), uPlot at {@value #UPLOT_PATH};</li>
 *   <li>{@link #apiDocs()}: Swagger UI on the OpenAPI document at {@value #API_DOCS_PATH} (from
 *       {@code api-docs/}), Swagger UI's files at {@value #SWAGGER_UI_PATH}, with inline styles
 *       allowed (Swagger UI sets some; scripts stay files only).</li>
 * </ul>
 * A WebJar's version is read from the Maven metadata it carries, so the parent pom alone pins it.
 */
public final class PagesBundle implements ConfiguredBundle<Configuration> {
    public static final String CONSOLE_PATH = "/console/";
    public static final String UPLOT_PATH = CONSOLE_PATH + "vendor/uplot/";
    public static final String API_DOCS_PATH = "/api/v1/docs/";
    public static final String SWAGGER_UI_PATH = API_DOCS_PATH + "ui/";
    static final String API_DOCS_CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
            + "base-uri 'none'; form-action 'self'";

    private final String name;
    private final String path;
    private final AssetsBundle pages;
    private final AssetsBundle vendor;
    private final ConsoleHeadersFilter headers;

    private PagesBundle(String name, String path, String vendorResources, String vendorPath, ConsoleHeadersFilter headers) {
        this.name = name;
        this.path = path;
        this.pages = new AssetsBundle("/" + name + "/", path, "index.html", name);
        this.vendor = new AssetsBundle(vendorResources, vendorPath, null, name + "-vendor");
        this.headers = headers;
    }

    public static PagesBundle console() {
        return new PagesBundle("console", CONSOLE_PATH, webjar("org.webjars.npm", "uplot") + "dist/", UPLOT_PATH,
                new ConsoleHeadersFilter());
    }

    public static PagesBundle apiDocs() {
        return new PagesBundle("api-docs", API_DOCS_PATH, webjar("org.webjars", "swagger-ui"), SWAGGER_UI_PATH,
                new ConsoleHeadersFilter(API_DOCS_CONTENT_SECURITY_POLICY));
    }

    @Override
    public void initialize(Bootstrap<?> bootstrap) {
        pages.initialize(bootstrap);
        vendor.initialize(bootstrap);
    }

    @Override
    public void run(Configuration configuration, Environment environment) {
        pages.run(configuration, environment);
        vendor.run(configuration, environment);
        environment.servlets().addFilter(name + "-headers", headers)
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, path + "*",
                        path.substring(0, path.length() - 1));
    }

    /** Where a WebJar's files lie on the classpath, in the version on the classpath. */
    static String webjar(String group, String artifact) {
        final String metadata = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = PagesBundle.class.getResourceAsStream(metadata)) {
            if (in == null) {
                throw new IllegalStateException("the " + artifact + " WebJar is not on the class path");
            }
            final Properties properties = new Properties();
            properties.load(in);
            return "/META-INF/resources/webjars/" + artifact + "/" + properties.getProperty("version") + "/";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
