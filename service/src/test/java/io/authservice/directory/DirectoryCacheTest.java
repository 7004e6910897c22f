package io.authservice.directory;

import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import io.authservice.config.StoreCacheConfig;
import io.dropwizard.util.Duration;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The directory cache alone, with a fake ticker and same-thread maintenance: time is driven, never slept. */
class DirectoryCacheTest {
    private static final int MAXIMUM_SIZE = 200;

    private final AtomicLong nanos = new AtomicLong();
    private final Map<Long, String> store = new ConcurrentHashMap<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final List<Collection<Long>> bulkLoads = new ArrayList<>();
    private Runnable duringBulkLoad = () -> { };

    private final DirectoryCache<String> cache = new DirectoryCache<>(id -> {
        loads.incrementAndGet();
        return Optional.ofNullable(store.get(id));
    }, ids -> {
        bulkLoads.add(List.copyOf(ids));
        final Map<Long, String> found = new HashMap<>();
        ids.forEach(id -> {
            if (store.containsKey(id)) {
                found.put(id, store.get(id));
            }
        });
        duringBulkLoad.run();
        return found;
    }, new StoreCacheConfig()
            .setMaximumSize(MAXIMUM_SIZE)
            .setRefreshAfterWrite(Duration.minutes(1))
            .setExpireAfterWrite(Duration.minutes(10))
            .setNegativeExpireAfterWrite(Duration.seconds(30)),
            nanos::get, Runnable::run, ConcurrentStatsCounter::new);

    private void advance(java.time.Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aKnownIdIsLoadedOnceAndServedFromMemory() {
        store.put(7L, "alice");
        for (int i = 0; i < 100; i++) {
            assertThat(cache.find(7)).contains("alice");
        }
        assertThat(loads).hasValue(1);
        assertThat(cache.stats().hitCount()).isEqualTo(99);
        assertThat(cache.stats().hitRate()).isEqualTo(0.99);
    }

    @Test
    void anInvalidatedIdIsReadAgainAndAnswersTheNewValue() {
        store.put(7L, "alice");
        assertThat(cache.find(7)).contains("alice");

        store.put(7L, "alice (renamed)");
        assertThat(cache.find(7)).as("no change seen yet").contains("alice");
        cache.invalidate(List.of(7L));

        assertThat(cache.find(7)).contains("alice (renamed)");
        assertThat(loads).hasValue(2);
    }

    @Test
    void aDeletedIdAnswersUnknownOnceInvalidated() {
        store.put(7L, "alice");
        assertThat(cache.find(7)).isPresent();
        store.remove(7L);
        cache.invalidate(List.of(7L));

        assertThat(cache.find(7)).isEmpty();
    }

    @Test
    void anUnknownIdIsRememberedForTheShorterNegativeLifeOnly() {
        assertThat(cache.find(8)).isEmpty();
        store.put(8L, "created elsewhere, change not seen");
        advance(java.time.Duration.ofSeconds(29));
        assertThat(cache.find(8)).isEmpty();
        assertThat(loads).hasValue(1);

        advance(java.time.Duration.ofSeconds(2));
        assertThat(cache.find(8)).contains("created elsewhere, change not seen");
        assertThat(loads).hasValue(2);
    }

    @Test
    void aFloodOfUnknownIdsStaysWithinTheBoundAndHardlyEvictsTheIdsInUse() {
        for (long id = 1; id <= 50; id++) {
            store.put(id, "person " + id);
        }
        for (int round = 0; round < 5; round++) {
            readInUse();
        }
        final int loadsBefore = loads.get();
        int reads = 0;
        // 10 000 ids nobody has, 50 times the bound, while the 50 ids in use go on being read
        for (long id = 1_000_000; id < 1_000_000 + 50 * MAXIMUM_SIZE; id++) {
            assertThat(cache.find(id)).isEmpty();
            if (id % 200 == 0) {
                readInUse();
                reads += 50;
            }
        }
        cache.cleanUp();

        assertThat(cache.estimatedSize()).isLessThanOrEqualTo(MAXIMUM_SIZE);
        final int floodLoads = 50 * MAXIMUM_SIZE;
        assertThat(loads.get() - loadsBefore - floodLoads).as("reloads of ids in use, of %d reads", reads)
                .isLessThanOrEqualTo(reads / 20);
    }

    private void readInUse() {
        for (long id = 1; id <= 50; id++) {
            assertThat(cache.find(id)).contains("person " + id);
        }
    }

    @Test
    void findAllLoadsOnlyTheMissingIdsInOneBulkLoadAndRemembersTheUnknownOnes() {
        store.put(1L, "one");
        store.put(2L, "two");
        assertThat(cache.find(1)).contains("one");

        assertThat(cache.findAll(List.of(1L, 2L, 3L))).containsOnly(Map.entry(1L, "one"), Map.entry(2L, "two"));
        assertThat(bulkLoads).containsExactly(List.of(2L, 3L));

        assertThat(cache.findAll(List.of(3L, 2L, 1L))).containsOnlyKeys(1L, 2L);
        assertThat(bulkLoads).as("all three now cached, 3 as unknown").hasSize(1);
        assertThat(cache.find(3)).isEmpty();
        assertThat(loads).hasValue(1);
    }

    @Test
    void aBulkLoadThatRacedAnInvalidationDoesNotKeepWhatItReadBefore() {
        store.put(1L, "old");
        // the change is committed and seen (invalidated) while the bulk load's stale read is in flight
        duringBulkLoad = () -> {
            store.put(1L, "new");
            cache.invalidate(List.of(1L));
        };
        assertThat(cache.findAll(List.of(1L))).containsEntry(1L, "old");
        duringBulkLoad = () -> { };

        assertThat(cache.find(1)).contains("new");
    }
}
