package io.authservice.resources;

import io.authservice.core.InvalidInputException;
import io.authservice.core.Text;

import jakarta.ws.rs.core.MultivaluedMap;

import java.util.Set;
import java.util.stream.Collectors;

/** The query-string check the JSON API's resources share: a name they do not know is a 400, not ignored. */
final class QueryParameters {
    private QueryParameters() {
    }

    /** @throws InvalidInputException naming the first unknown parameter and every known one */
    static void checkNames(MultivaluedMap<String, String> params, Set<String> known) {
        for (String name : params.keySet()) {
            if (!known.contains(name)) {
                throw new InvalidInputException("unknown parameter '" + Text.printable(name) + "'; known: "
                        + known.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
    }
}
