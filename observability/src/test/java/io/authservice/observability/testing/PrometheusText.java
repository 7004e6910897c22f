package io.authservice.observability.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks a scrape against the Prometheus text format (0.0.4), for tests of a /prometheus endpoint. */
public final class PrometheusText {
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\.)*\",?)*})? "
                    + "(NaN|[+-]Inf|[-+]?[0-9.]+([eE][-+]?[0-9]+)?)( -?[0-9]+)?");

    private PrometheusText() {
    }

    /**
     * The samples without labels, by name, of a scrape every line of which must be a comment or a
     * sample.
     *
     * @throws AssertionError naming the first line that is neither
     */
    public static Map<String, Double> unlabelledSamples(String body) {
        final Map<String, Double> samples = new LinkedHashMap<>();
        body.lines().forEach(line -> {
            if (COMMENT.matcher(line).matches()) {
                return;
            }
            final Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                throw new AssertionError("not a line of the Prometheus text format: " + line);
            }
            if (sample.group(2) == null && samples.put(sample.group(1), Double.parseDouble(sample.group(5))) != null) {
                throw new AssertionError("a sample named twice: " + sample.group(1));
            }
        });
        return samples;
    }
}
