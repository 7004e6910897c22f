package io.authservice.directory;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Users or employees by id, as the directory endpoints answer them: from a {@link DirectoryCache} or the store. */
public interface DirectoryLookup<V> {
    /** The entry with this id, if one is stored. */
    Optional<V> find(long id);

    /** The entries found among {@code ids}, by id (unknown ids left out). */
    Map<Long, V> findAll(Collection<Long> ids);

    /** Straight from the store: one query per request, as the original service behaves. */
    static <V> DirectoryLookup<V> uncached(Function<Long, Optional<V>> find, Function<Collection<Long>, Map<Long, V>> findAll) {
        return new DirectoryLookup<>() {
            @Override
            public Optional<V> find(long id) {
                return find.apply(id);
            }

            @Override
            public Map<Long, V> findAll(Collection<Long> ids) {
                return findAll.apply(ids);
            }
        };
    }
}
