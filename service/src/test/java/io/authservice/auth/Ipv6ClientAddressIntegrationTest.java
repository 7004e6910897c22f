package io.authservice.auth;

import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditReasons;
import io.authservice.testing.Http;
import io.authservice.testing.RecordingAuditLog;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service behind an IPv6 proxy: connections come over {@code [::1]}, which is the one trusted
 * proxy. Jetty gives such a peer as {@code [0:0:0:0:0:0:0:1]}; it must still match {@code '::1'}, and
 * IPv6 clients are throttled by their /64 while the audit trail keeps each full address.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class Ipv6ClientAddressIntegrationTest {
    private static final Path DIR = TestApps.tempDir();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class,
            TestApps.writeConfig(TestDatabases.newH2(DIR), DIR,
                    "throttle: {maxFailures: 3, window: 1m}",
                    "clientAddress: {trustedProxies: ['::1'], ipv6ThrottlePrefix: 64}"),
            ConfigOverride.config("server.applicationConnectors[0].bindHost", "::1"));

    private final Http http = new Http("[::1]", APP.getLocalPort());

    private static RecordingAuditLog audit() {
        return ((TestAuthServiceApplication) APP.getApplication()).audit();
    }

    private Http.Answer badKey(String key, String... forwardedFor) {
        final String[] headers = new String[2 + 2 * forwardedFor.length];
        headers[0] = "X-API-Key";
        headers[1] = key;
        for (int i = 0; i < forwardedFor.length; i++) {
            headers[2 + 2 * i] = "X-Forwarded-For";
            headers[3 + 2 * i] = forwardedFor[i];
        }
        return http.get("/api/v1/whoami/", headers);
    }

    /** The audit event of the request answered so (by its request id). */
    private static AuditEvent eventOf(Http.Answer answer) {
        final String requestId = answer.header("X-Request-Id");
        assertThat(requestId).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> !audit().matching(e -> requestId.equals(e.requestId())).isEmpty());
        return audit().matching(e -> requestId.equals(e.requestId())).get(0);
    }

    @Test
    void theForwardedClientOfAnIpv6ProxyIsRecorded() {
        final Http.Answer answer = badKey("a1a1a1a1" + "0".repeat(32), "203.0.113.9");
        assertThat(answer.status()).isEqualTo(401);
        assertThat(eventOf(answer).clientAddress()).isEqualTo("203.0.113.9");
    }

    @Test
    void anIpv6PeerIsRecordedWithoutBrackets() {
        final Http.Answer answer = badKey("b2b2b2b2" + "0".repeat(32));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(eventOf(answer).clientAddress()).isEqualTo("::1");
    }

    @Test
    void ipv6ClientsAreThrottledByTheirSlash64AndAuditedByTheirFullAddress() {
        for (int i = 0; i < 3; i++) {
            assertThat(badKey(String.format("c3c3c3c3%032x", i), "2001:db8:1:2::a").status()).isEqualTo(401);
        }
        // another address in the same /64 (with a port, as some proxies write it) shares the throttle
        final Http.Answer throttled = badKey("d4d4d4d4" + "0".repeat(32), "[2001:db8:1:2:ffff::b]:4711");
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isNotNull();
        final AuditEvent throttledEvent = eventOf(throttled);
        assertThat(throttledEvent.reason()).isEqualTo(AuditReasons.THROTTLED);
        assertThat(throttledEvent.clientAddress()).isEqualTo("2001:db8:1:2:ffff::b");
        // the next /64 does not
        assertThat(badKey("e5e5e5e5" + "0".repeat(32), "2001:db8:1:3::a").status()).isEqualTo(401);

        final List<AuditEvent> firstNetwork = audit().matching(e -> "2001:db8:1:2::a".equals(e.clientAddress()));
        assertThat(firstNetwork).hasSize(3).allSatisfy(e -> assertThat(e.reason()).isEqualTo(AuditReasons.UNKNOWN));
    }
}
