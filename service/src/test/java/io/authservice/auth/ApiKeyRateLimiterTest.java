package io.authservice.auth;

import io.authservice.core.AllowedAddresses;
import io.authservice.core.ApiKey;
import io.authservice.core.KeyPolicy;
import io.authservice.core.RateLimit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The limiter alone, with a fake ticker: time is driven, never slept. */
class ApiKeyRateLimiterTest {
    private final AtomicLong nanos = new AtomicLong();
    private final ApiKeyRateLimiter limiter = new ApiKeyRateLimiter(1, 1_000, nanos::get);

    private static ApiKey key(long id, String limit) {
        return new ApiKey(id, "k" + id, "abcd1234", "h" + id, Set.of("users:read"), true, Instant.EPOCH, null, null, null,
                Instant.EPOCH, null, new KeyPolicy(AllowedAddresses.ANYWHERE, RateLimit.parse(limit)));
    }

    private void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    @Test
    void aKeyWithoutALimitIsNotCounted() {
        assertThat(limiter.tryAcquire(key(1, null))).isNull();
    }

    @Test
    void theLimitIsABurstThenARateAndTheHeadersSayWhere() {
        final ApiKey key = key(1, "6/1m");
        for (int i = 0; i < 6; i++) {
            final ApiKeyRateLimiter.Verdict verdict = limiter.tryAcquire(key);
            assertThat(verdict.allowed()).isTrue();
            assertThat(verdict.limit()).isEqualTo(6);
            assertThat(verdict.remaining()).isEqualTo(5 - i);
            assertThat(verdict.retryAfterSeconds()).isZero();
        }
        // after the first request the bucket is whole again 10 s later; after six, 60 s later
        final ApiKeyRateLimiter.Verdict refused = limiter.tryAcquire(key);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterSeconds()).isEqualTo(10); // one token back every 60 s / 6
        assertThat(refused.resetSeconds()).isEqualTo(60);

        advance(Duration.ofSeconds(9));
        assertThat(limiter.tryAcquire(key).allowed()).isFalse();
        assertThat(limiter.tryAcquire(key).retryAfterSeconds()).isEqualTo(1);
        advance(Duration.ofSeconds(1));
        final ApiKeyRateLimiter.Verdict again = limiter.tryAcquire(key);
        assertThat(again.allowed()).isTrue();
        assertThat(again.remaining()).isZero();
        assertThat(limiter.tryAcquire(key).allowed()).isFalse();

        // a whole period later the whole burst is back
        advance(Duration.ofMinutes(1));
        for (int i = 0; i < 6; i++) {
            assertThat(limiter.tryAcquire(key).allowed()).isTrue();
        }
        assertThat(limiter.tryAcquire(key).allowed()).isFalse();
    }

    @Test
    void eachKeyHasItsOwnBucketAndAChangedLimitStartsAFreshOne() {
        final ApiKey one = key(1, "1/1h");
        assertThat(limiter.tryAcquire(one).allowed()).isTrue();
        assertThat(limiter.tryAcquire(one).allowed()).isFalse();
        assertThat(limiter.tryAcquire(key(2, "1/1h")).allowed()).isTrue();

        final ApiKey raised = key(1, "2/1h");
        assertThat(limiter.tryAcquire(raised).allowed()).isTrue();
        assertThat(limiter.tryAcquire(raised).allowed()).isTrue();
        assertThat(limiter.tryAcquire(raised).allowed()).isFalse();
    }

    @Test
    void severalInstancesEachEnforceTheirShareRoundedUp() {
        final ApiKeyRateLimiter third = new ApiKeyRateLimiter(3, 1_000, nanos::get);
        assertThat(third.share(RateLimit.parse("600/1m"))).isEqualTo(200);
        assertThat(third.share(RateLimit.parse("10/1m"))).isEqualTo(4);
        assertThat(third.share(RateLimit.parse("1/1m"))).isEqualTo(1);
        final ApiKey key = key(7, "10/1m");
        for (int i = 0; i < 4; i++) {
            assertThat(third.tryAcquire(key).allowed()).isTrue();
        }
        final ApiKeyRateLimiter.Verdict refused = third.tryAcquire(key);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.limit()).isEqualTo(4);
    }
}
