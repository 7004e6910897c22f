package io.authservice.auth;

import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.authservice.config.StoreCacheConfig;
import io.authservice.config.StoreCaches;
import io.authservice.core.ApiKey;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * API keys by SHA-256 hash, in memory. Absent keys are cached too (as {@code Optional.empty()}),
 * for a shorter time. Entries are refreshed in the background while in use and dropped after a
 * hard limit; {@link RevocationPoller} drops changed keys as soon as it sees the change.
 *
 * <p>The loader reports absence with an empty Optional and throws only when the store fails: a
 * failed refresh keeps serving the entry it had until the hard limit.
 */
public final class ApiKeyCache {
    private final LoadingCache<String, Optional<ApiKey>> cache;

    public ApiKeyCache(Function<String, Optional<ApiKey>> loader, StoreCacheConfig config, Ticker ticker,
                       Executor executor, Supplier<? extends StatsCounter> stats) {
        this.cache = StoreCaches.build(loader, config, ticker, executor, stats);
    }

    /**
     * The key with this hash, if one is stored.
     *
     * @throws RuntimeException if the key is not cached and the store cannot be read
     */
    public Optional<ApiKey> find(String hash) {
        return cache.get(hash);
    }

    /** Drops these hashes; the next request for each reads the store. */
    public void invalidate(Collection<String> hashes) {
        cache.invalidateAll(hashes);
    }

    /** Drops everything; returns how many entries there were. */
    public long invalidateAll() {
        final long size = cache.estimatedSize();
        cache.invalidateAll();
        return size;
    }

    public long estimatedSize() {
        return cache.estimatedSize();
    }

    public CacheStats stats() {
        return cache.stats();
    }

    /** Runs pending maintenance (expiry, eviction) now; for tests and shutdown. */
    public void cleanUp() {
        cache.cleanUp();
    }
}
