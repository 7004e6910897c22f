package io.authservice.directory;

import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.authservice.config.StoreCacheConfig;
import io.authservice.config.StoreCaches;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Users or employees by id, in memory, bounded by {@code maximumSize}. Unknown ids are cached too
 * (as {@code Optional.empty()}) for a shorter time, in the same bounded cache: a flood of unknown ids
 * costs at most {@code maximumSize} entries, and Caffeine's frequency-based admission keeps such
 * one-off ids from evicting the entries that are read again and again. Entries are refreshed in the
 * background while in use and dropped after a hard limit; a {@link io.authservice.db.ChangeLogPoller}
 * over {@code directory_changes} {@link #invalidate drops} changed ids as soon as it sees the change.
 *
 * <p>The loaders report absence with an empty answer and throw only when the store fails.
 */
public final class DirectoryCache<V> implements DirectoryLookup<V> {
    private final LoadingCache<Long, Optional<V>> cache;
    private final Function<Collection<Long>, Map<Long, V>> loadAll;
    /** Counts invalidations, so a bulk load that raced one does not keep what it read before it. */
    private final AtomicLong invalidations = new AtomicLong();

    /**
     * @param load    one id from the store
     * @param loadAll many ids from the store in few queries; the ids it leaves out are unknown
     */
    public DirectoryCache(Function<Long, Optional<V>> load, Function<Collection<Long>, Map<Long, V>> loadAll,
                          StoreCacheConfig config, Ticker ticker, Executor executor,
                          Supplier<? extends StatsCounter> stats) {
        this.loadAll = loadAll;
        this.cache = StoreCaches.build(load, config, ticker, executor, stats);
    }

    /**
     * @throws RuntimeException if the id is not cached and the store cannot be read
     */
    @Override
    public Optional<V> find(long id) {
        return cache.get(id);
    }

    /**
     * The cached ids from memory, the rest from the store in one bulk load (then cached, unknown ones
     * as unknown).
     *
     * @throws RuntimeException if some ids are not cached and the store cannot be read
     */
    @Override
    public Map<Long, V> findAll(Collection<Long> ids) {
        final Set<Long> wanted = new LinkedHashSet<>(ids);
        final Map<Long, Optional<V>> cached = cache.getAllPresent(wanted);
        final Map<Long, V> found = new HashMap<>();
        cached.forEach((id, value) -> value.ifPresent(v -> found.put(id, v)));
        wanted.removeAll(cached.keySet());
        if (wanted.isEmpty()) {
            return found;
        }
        final long before = invalidations.get();
        final Map<Long, V> loaded = loadAll.apply(wanted);
        final Map<Long, Optional<V>> entries = new HashMap<>();
        for (Long id : wanted) {
            entries.put(id, Optional.ofNullable(loaded.get(id)));
        }
        cache.putAll(entries);
        if (invalidations.get() != before) {
            // a change seen meanwhile may be newer than what was read: drop it all, the next read loads again
            cache.invalidateAll(wanted);
        }
        found.putAll(loaded);
        return found;
    }

    /** Drops these ids; the next request for each reads the store. */
    public void invalidate(Collection<Long> ids) {
        invalidations.incrementAndGet();
        cache.invalidateAll(ids);
    }

    public long estimatedSize() {
        return cache.estimatedSize();
    }

    public CacheStats stats() {
        return cache.stats();
    }

    /** Runs pending maintenance (expiry, eviction) now; for tests. */
    public void cleanUp() {
        cache.cleanUp();
    }
}
