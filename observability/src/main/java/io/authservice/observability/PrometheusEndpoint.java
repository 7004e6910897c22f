package io.authservice.observability;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.setup.AdminEnvironment;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Serves an application's Dropwizard metrics in the Prometheus text format at {@value #PATH} on the
 * admin port, beside Dropwizard's own JSON {@code /metrics}, so a Prometheus server can scrape either
 * application without a sidecar. The metrics are read from the registry at each scrape, with the
 * Prometheus client library's names ({@code api-key-cache.hits} becomes {@code api_key_cache_hits_total});
 * nothing is copied or kept twice.
 */
public final class PrometheusEndpoint {
    /** The path on the admin port. Like {@code /metrics}, it needs no admin token. */
    public static final String PATH = "/prometheus";

    private PrometheusEndpoint() {
    }

    /** Adds the endpoint for {@code metrics} to the admin port. */
    public static void register(MetricRegistry metrics, AdminEnvironment admin) {
        final PrometheusRegistry registry = new PrometheusRegistry();
        DropwizardExports.builder().dropwizardRegistry(metrics).register(registry);
        admin.addServlet("prometheus", new PrometheusMetricsServlet(registry)).addMapping(PATH);
    }
}
