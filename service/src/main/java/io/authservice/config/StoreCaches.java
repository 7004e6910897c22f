package io.authservice.config;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;

import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one shape of the caches in front of the store (API keys, the directory): bounded, refreshed
 * in the background while in use, a stored record kept for {@code expireAfterWrite} and an absent
 * one (an empty answer) for the shorter {@code negativeExpireAfterWrite}, so floods of unknown
 * lookups cost at most {@code maximumSize} entries and reach the store again soon.
 */
public final class StoreCaches {
    private StoreCaches() {
    }

    public static <K, V> LoadingCache<K, Optional<V>> build(Function<K, Optional<V>> load, StoreCacheConfig config,
                                                            Ticker ticker, Executor executor,
                                                            Supplier<? extends StatsCounter> stats) {
        final long positive = config.getExpireAfterWrite().toNanoseconds();
        final long negative = config.getNegativeExpireAfterWrite().toNanoseconds();
        return Caffeine.newBuilder()
                .maximumSize(config.getMaximumSize())
                .expireAfter(new Expiry<K, Optional<V>>() {
                    @Override
                    public long expireAfterCreate(K key, Optional<V> value, long now) {
                        return value.isPresent() ? positive : negative;
                    }

                    @Override
                    public long expireAfterUpdate(K key, Optional<V> value, long now, long remaining) {
                        return value.isPresent() ? positive : negative;
                    }

                    @Override
                    public long expireAfterRead(K key, Optional<V> value, long now, long remaining) {
                        return remaining;
                    }
                })
                .refreshAfterWrite(config.getRefreshAfterWrite().toJavaDuration())
                .ticker(ticker)
                .executor(executor)
                .recordStats(stats)
                .build(load::apply);
    }
}
