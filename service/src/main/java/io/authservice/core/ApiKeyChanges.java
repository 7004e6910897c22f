package io.authservice.core;

import java.util.Collection;

/**
 * What {@code update-api-key} changes, as the operator gave it; each null is left as it is.
 *
 * @param allowedAddresses CIDR ranges, comma-separated; empty: anywhere
 * @param rateLimit        {@code N/<duration>}, or {@link #NO_LIMIT} (or empty) to remove the limit
 */
public record ApiKeyChanges(String name, Collection<String> scopes, String allowedAddresses, String rateLimit) {
    /** The rate limit value that removes a key's limit. */
    public static final String NO_LIMIT = "none";

    public boolean isEmpty() {
        return name == null && scopes == null && allowedAddresses == null && rateLimit == null;
    }
}
