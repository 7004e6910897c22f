package io.authservice.auth;

import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import io.authservice.config.StoreCacheConfig;
import io.authservice.core.ApiKey;
import io.dropwizard.util.Duration;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cache alone, with a fake ticker and same-thread maintenance: time is driven, never slept. */
class ApiKeyCacheTest {
    private final AtomicLong nanos = new AtomicLong();
    private final Map<String, ApiKey> store = new HashMap<>();
    private final AtomicInteger loads = new AtomicInteger();
    private volatile boolean storeDown;

    private final ApiKeyCache cache = new ApiKeyCache(hash -> {
        loads.incrementAndGet();
        if (storeDown) {
            throw new IllegalStateException("database down");
        }
        return Optional.ofNullable(store.get(hash));
    }, new StoreCacheConfig()
            .setRefreshAfterWrite(Duration.minutes(1))
            .setExpireAfterWrite(Duration.minutes(10))
            .setNegativeExpireAfterWrite(Duration.seconds(30)),
            nanos::get, Runnable::run, ConcurrentStatsCounter::new);

    private static ApiKey key(String hash) {
        final Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new ApiKey(1, "k", "abcd1234", hash, Set.of("users:read"), true, t, null, null, null, t, null);
    }

    private void advance(java.time.Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aKnownKeyIsLoadedOnceAndServedFromMemory() {
        store.put("h", key("h"));
        for (int i = 0; i < 100; i++) {
            assertThat(cache.find("h")).isPresent();
        }
        assertThat(loads).hasValue(1);
        assertThat(cache.stats().hitCount()).isEqualTo(99);
    }

    @Test
    void absenceIsRememberedForTheShorterNegativeLife() {
        assertThat(cache.find("nope")).isEmpty();
        advance(java.time.Duration.ofSeconds(29));
        assertThat(cache.find("nope")).isEmpty();
        assertThat(loads).hasValue(1);

        store.put("nope", key("nope"));
        advance(java.time.Duration.ofSeconds(2));
        assertThat(cache.find("nope")).isPresent();
        assertThat(loads).hasValue(2);
    }

    @Test
    void aKeyInUseIsRefreshedAfterTheRefreshTime() {
        store.put("h", key("h"));
        cache.find("h");
        store.put("h", new ApiKey(1, "k", "abcd1234", "h", Set.of(), false, Instant.EPOCH, null, null, null, Instant.EPOCH, null));

        advance(java.time.Duration.ofSeconds(61));
        cache.find("h"); // triggers the refresh (same-thread executor), still answers the old value
        assertThat(loads).hasValue(2);
        assertThat(cache.find("h")).hasValueSatisfying(k -> assertThat(k.active()).isFalse());
    }

    @Test
    void aFailedRefreshKeepsServingUntilTheHardLimitThenFails() {
        store.put("h", key("h"));
        cache.find("h");
        storeDown = true;

        advance(java.time.Duration.ofMinutes(2));
        assertThat(cache.find("h")).isPresent();

        advance(java.time.Duration.ofMinutes(9));
        assertThatThrownBy(() -> cache.find("h")).hasMessageContaining("database down");
    }

    @Test
    void invalidationDropsEntriesSoTheNextLookupReadsTheStore() {
        store.put("h", key("h"));
        cache.find("h");
        store.remove("h");

        cache.invalidate(List.of("h"));

        assertThat(cache.find("h")).isEmpty();
        assertThat(loads).hasValue(2);
    }

    @Test
    void invalidateAllReportsTheEntriesItDropped() {
        store.put("a", key("a"));
        cache.find("a");
        cache.find("b");
        cache.cleanUp();
        assertThat(cache.invalidateAll()).isEqualTo(2);
        assertThat(cache.estimatedSize()).isZero();
    }
}
