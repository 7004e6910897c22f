package io.authservice.audit.alert;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * POSTs alerts as JSON to a URL, signed ({@link WebhookSignatures#HEADER}) with the webhook's secret
 * and carrying the alert id as {@link WebhookSignatures#IDEMPOTENCY_HEADER}. Taken: any 2xx answer.
 */
public final class WebhookDestination implements AlertDestination {
    private final String name;
    private final URI url;
    private final String secret;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient http;

    public WebhookDestination(AlertConfig.Webhook config, Duration timeout, Clock clock) {
        this.name = Objects.requireNonNull(config.getName(), "webhook name");
        if (name.isBlank() || name.contains(",")) {
            throw new IllegalArgumentException("a webhook's name must be non-blank and without commas: " + name);
        }
        if (config.getUrl() == null || !(config.getUrl().startsWith("https://") || config.getUrl().startsWith("http://"))) {
            throw new IllegalArgumentException("webhook " + name + " needs an http(s) url");
        }
        if (config.getSecret() == null || config.getSecret().length() < WebhookSignatures.MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("webhook " + name + " needs a secret of at least "
                    + WebhookSignatures.MIN_SECRET_LENGTH + " characters");
        }
        this.url = URI.create(config.getUrl());
        this.secret = config.getSecret();
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(UUID id, String body) throws IOException, InterruptedException {
        final String signature = WebhookSignatures.header(secret, clock.instant().getEpochSecond(), body);
        final HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "auth-service-alerts")
                .header(WebhookSignatures.HEADER, signature)
                .header(WebhookSignatures.IDEMPOTENCY_HEADER, id.toString())
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        final HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("answered " + response.statusCode());
        }
    }

    @Override
    public String toString() {
        return "webhook " + name;  // never the secret
    }
}
