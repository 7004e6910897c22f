package io.authservice.db;

import com.google.common.collect.Lists;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * Queries that bind a list of values into an SQL {@code IN (...)}: asked {@value #MAX} values at a
 * time, so that no statement exceeds a driver's parameter limit however long the list.
 */
public final class InLists {
    /** The most values bound into one statement. */
    public static final int MAX = 500;

    private InLists() {
    }

    /** The rows {@code query} answers for all of {@code values}, asked {@value #MAX} at a time, in order, as a new modifiable list. */
    public static <T, R> List<R> select(List<T> values, Function<List<T>, ? extends Collection<? extends R>> query) {
        final List<R> rows = new ArrayList<>();
        for (List<T> chunk : Lists.partition(values, MAX)) {
            rows.addAll(query.apply(chunk));
        }
        return rows;
    }
}
