package io.authservice.console;

import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.ConfiguredBundle;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import jakarta.servlet.DispatcherType;

import java.util.EnumSet;

/**
 * The security team's console on the application port: its static pages at {@value #PATH}
 * (from {@code console/} on the classpath), uPlot from its WebJar at {@value #UPLOT_PATH}, and
 * {@link ConsoleHeadersFilter} on every answer under {@value #PATH}. The pages are a client of the
 * public JSON API and hold no data of their own.
 */
public final class ConsoleBundle implements ConfiguredBundle<Configuration> {
    public static final String PATH = "/console/";
    public static final String UPLOT_PATH = PATH + "vendor/uplot/";
    /** The uPlot WebJar's files; the version is the one pinned in the parent pom. */
    private static final String UPLOT_RESOURCES = "/META-INF/resources/webjars/uplot/1.6.30/dist/";

    private final AssetsBundle pages = new AssetsBundle("/console/", PATH, "index.html", "console");
    private final AssetsBundle uplot = new AssetsBundle(UPLOT_RESOURCES, UPLOT_PATH, null, "console-uplot");

    @Override
    public void initialize(Bootstrap<?> bootstrap) {
        pages.initialize(bootstrap);
        uplot.initialize(bootstrap);
    }

    @Override
    public void run(Configuration configuration, Environment environment) {
        pages.run(configuration, environment);
        uplot.run(configuration, environment);
        environment.servlets().addFilter("console-headers", new ConsoleHeadersFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, PATH + "*", "/console");
    }
}
