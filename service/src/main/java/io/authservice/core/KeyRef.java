package io.authservice.core;

/**
 * How an operator names a key: by id, or by name where exactly one current key has that name.
 * Exactly one of the two is set.
 */
public record KeyRef(Long id, String name) {

    public KeyRef {
        if ((id == null) == (name == null)) {
            throw new InvalidInputException("name a key by either 'id' or 'name', not both and not neither");
        }
    }

    /** Builds a reference from raw operator input, either of which may be null or blank. */
    public static KeyRef of(String rawId, String rawName) {
        final boolean hasId = rawId != null && !rawId.isBlank();
        final boolean hasName = rawName != null && !rawName.isBlank();
        if (hasId == hasName) {
            throw new InvalidInputException("name a key by either 'id' or 'name', not both and not neither");
        }
        if (hasId) {
            return new KeyRef(PositiveIds.parse(rawId, "'id'", InvalidInputException::new), null);
        }
        return new KeyRef(null, rawName.trim());
    }

    @Override
    public String toString() {
        return id != null ? "id " + id : "name '" + Text.printable(name) + "'";
    }
}
