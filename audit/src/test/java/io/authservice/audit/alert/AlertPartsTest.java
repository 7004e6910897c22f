package io.authservice.audit.alert;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The alert parts that need no database: ranges, windows, signatures, backoff, the configuration's defaults. */
class AlertPartsTest {
    @Test
    void addressesFallInTheirSlash24OrSlash48AndNamesAreNeverLookedUp() {
        assertThat(AddressRanges.rangeOf("10.1.2.3")).isEqualTo("10.1.2.0/24");
        assertThat(AddressRanges.rangeOf("2001:db8:1:2::5")).isEqualTo("2001:db8:1:0:0:0:0:0/48");
        assertThat(AddressRanges.rangeOf("::ffff:192.0.2.9")).isEqualTo("192.0.2.0/24");
        assertThat(AddressRanges.rangeOf("cafe")).isNull();        // hex letters, no dot or colon: could be a host name
        assertThat(AddressRanges.rangeOf("dead.beef")).isNull();
        assertThat(AddressRanges.rangeOf("localhost")).isNull();
        assertThat(AddressRanges.rangeOf(null)).isNull();
        assertThat(AddressRanges.rangeOf("999.1.1.1")).isNull();
    }

    @Test
    void windowsAreFixedFromTheEpoch() {
        assertThat(Alert.windowOf(Instant.parse("2026-12-01T10:07:59Z"), Duration.ofMinutes(5)))
                .isEqualTo(Instant.parse("2026-12-01T10:05:00Z"));
        assertThat(Alert.windowOf(Instant.parse("2026-12-01T10:05:00Z"), Duration.ofMinutes(5)))
                .isEqualTo(Instant.parse("2026-12-01T10:05:00Z"));
    }

    @Test
    void theSignatureIsStripesScheme() {
        // HMAC-SHA256("secret-0123456789abcdef0123456789ab", "1700000000.{}"), as openssl computes it
        final String header = WebhookSignatures.header("secret-0123456789abcdef0123456789ab", 1_700_000_000L, "{}");
        assertThat(header).isEqualTo("t=1700000000,v1=941e9e26dbb73db86cf8815d8d3d0356fd3d038a9ee0e6e6f030196cc0ed3ac3");
        assertThat(WebhookSignatures.verify("secret-0123456789abcdef0123456789ab", header, "{}", 1_700_000_100L, 300)).isTrue();
        assertThat(WebhookSignatures.verify("secret-0123456789abcdef0123456789ab", "t=x,v1=00", "{}", 1_700_000_000L, 300)).isFalse();
        assertThat(WebhookSignatures.verify("secret-0123456789abcdef0123456789ab", null, "{}", 1_700_000_000L, 300)).isFalse();
    }

    @Test
    void theBackoffDoublesUpToItsMaximum() {
        final AlertConfig.Delivery config = new AlertConfig.Delivery();
        final AlertDelivery delivery = new AlertDelivery(Jdbi.create("jdbc:h2:mem:unused"), List.of(), config,
                new SettableClock(Instant.EPOCH));
        assertThat(delivery.backoff(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(delivery.backoff(2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(delivery.backoff(3)).isEqualTo(Duration.ofSeconds(20));
        assertThat(delivery.backoff(12)).isEqualTo(Duration.ofHours(1));
        assertThat(delivery.backoff(500)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aWebhookNeedsAUrlAndALongSecretWhichItNeverShows() {
        final AlertConfig.Webhook hook = new AlertConfig.Webhook();
        hook.setUrl("https://soc.example/hook");
        hook.setSecret("short");
        assertThatThrownBy(() -> new WebhookDestination(hook, Duration.ofSeconds(1), new SettableClock(Instant.EPOCH)))
                .hasMessageContaining("at least 32").hasMessageNotContaining("short");
        hook.setSecret("a-long-enough-secret-0123456789abcdef");
        assertThat(hook.toString()).doesNotContain("a-long-enough-secret");
        assertThat(new WebhookDestination(hook, Duration.ofSeconds(1), new SettableClock(Instant.EPOCH)).toString())
                .doesNotContain("a-long-enough-secret");
    }

    @Test
    void theDefaultsArePinned() {
        final AlertConfig config = new AlertConfig();
        assertThat(config.isEnabled()).isFalse();
        assertThat(config.getFailureBurst().getThreshold()).isEqualTo(50);
        assertThat(config.getFailureBurst().getWindow().toJavaDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.getRetiredKey().getGrace().toJavaDuration()).isEqualTo(Duration.ofHours(1));
        assertThat(config.getRetiredKey().getRepeatEvery().toJavaDuration()).isEqualTo(Duration.ofDays(1));
        assertThat(config.getNewAddressRange().getDays()).isEqualTo(30);
        assertThat(config.getRefreshReuse().isEnabled()).isTrue();
        assertThat(config.getWebhooks()).isEmpty();
        assertThat(config.getKafka().isEnabled()).isFalse();
        assertThat(config.getKafka().getTopic()).isEqualTo("auth.alerts");
        assertThat(config.getDelivery().getLease().toJavaDuration()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.getDelivery().getInitialBackoff().toJavaDuration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.getDelivery().getMaxBackoff().toJavaDuration()).isEqualTo(Duration.ofHours(1));
    }
}
