package io.authservice.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.authservice.core.ApiKey;
import io.authservice.core.RateLimit;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

import java.util.concurrent.TimeUnit;

/**
 * Enforces keys' rate limits in memory, with no database query: one Bucket4j token bucket per
 * limited key, of capacity N refilled greedily at N per period, so a key may burst N requests and
 * then goes on at N per period. With {@code instances} &gt; 1, each instance enforces its share,
 * N / instances rounded up (a load balancer spreads a key's calls about evenly; see the README for
 * the error bound). A changed limit gets a new bucket. Idle buckets are dropped after their period,
 * when they would be full anyway.
 */
public final class ApiKeyRateLimiter {
    private final Cache<Limited, Bucket> buckets;
    private final TimeMeter time;
    private final int instances;

    /**
     * @param instances   how many instances share each key's limit (each enforces limit / instances)
     * @param maximumKeys how many limited keys' buckets are kept at most
     * @param ticker      the time source (a fake one in tests)
     */
    public ApiKeyRateLimiter(int instances, long maximumKeys, Ticker ticker) {
        if (instances < 1) {
            throw new IllegalArgumentException("instances must be at least 1, not " + instances);
        }
        this.instances = instances;
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return ticker.read();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maximumKeys)
                .expireAfter(new Expiry<Limited, Bucket>() {
                    @Override
                    public long expireAfterCreate(Limited key, Bucket bucket, long now) {
                        return key.limit().period().toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(Limited key, Bucket bucket, long now, long remaining) {
                        return key.limit().period().toNanos();
                    }

                    @Override
                    public long expireAfterRead(Limited key, Bucket bucket, long now, long remaining) {
                        return key.limit().period().toNanos();
                    }
                })
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /** How one request fared against its key's limit, and what the {@code RateLimit-*} headers say. */
    public record Verdict(boolean allowed, long limit, long remaining, long resetSeconds, long retryAfterSeconds) {
    }

    /** Counts one request of {@code key}; null when the key has no limit. */
    public Verdict tryAcquire(ApiKey key) {
        final RateLimit limit = key.policy().rateLimit();
        if (limit == null) {
            return null;
        }
        final long share = share(limit);
        final Bucket bucket = buckets.get(new Limited(key.id(), limit), k -> Bucket.builder()
                .addLimit(b -> b.capacity(share).refillGreedy(share, limit.period()))
                .withCustomTimePrecision(time)
                .build());
        final ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return new Verdict(probe.isConsumed(), share, probe.getRemainingTokens(),
                seconds(probe.getNanosToWaitForReset()),
                probe.isConsumed() ? 0 : Math.max(1, seconds(probe.getNanosToWaitForRefill())));
    }

    /** The part of {@code limit} this instance enforces. */
    long share(RateLimit limit) {
        return Math.max(1, (limit.permits() + instances - 1) / instances);
    }

    private static long seconds(long nanos) {
        return (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
    }

    /** A bucket is kept per key and limit: a changed limit starts a fresh bucket. */
    private record Limited(long id, RateLimit limit) {
    }
}
