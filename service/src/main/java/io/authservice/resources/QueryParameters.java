package io.authservice.resources;

import io.authservice.core.InvalidInputException;
import io.authservice.core.Text;
import jakarta.ws.rs.core.MultivaluedMap;

import java.util.Set;
import java.util.stream.Collectors;

/** The one check of a query string's parameter names: an unknown one is refused (400), naming those known. */
public final class QueryParameters {
    private QueryParameters() {
    }

    /** Throws {@link InvalidInputException} for the first parameter of {@code params} not in {@code known}. */
    public static void requireKnown(MultivaluedMap<String, String> params, Set<String> known) {
        for (String name : params.keySet()) {
            if (!known.contains(name)) {
                throw new InvalidInputException("unknown parameter '" + Text.printable(name) + "'; known: "
                        + known.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
    }
}
