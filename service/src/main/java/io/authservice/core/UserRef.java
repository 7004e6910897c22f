package io.authservice.core;

/** How an operator names a user: by id or by username. Exactly one of the two is set. */
public record UserRef(Long id, String username) {
    private static final String BOTH_OR_NEITHER = "name a user by either 'id' or 'username', not both and not neither";

    public UserRef {
        if ((id == null) == (username == null)) {
            throw new InvalidInputException(BOTH_OR_NEITHER);
        }
    }

    /** Builds a reference from raw operator input, either of which may be null or blank. */
    public static UserRef of(String rawId, String rawUsername) {
        final boolean hasId = rawId != null && !rawId.isBlank();
        final boolean hasName = rawUsername != null && !rawUsername.isBlank();
        if (hasId == hasName) {
            throw new InvalidInputException(BOTH_OR_NEITHER);
        }
        if (hasName) {
            return new UserRef(null, rawUsername.trim());
        }
        final Long id = DirectoryCsv.id(rawId.trim(), "id", "");
        return new UserRef(id, null);
    }

    @Override
    public String toString() {
        return id != null ? "id " + id : "username '" + Text.printable(username) + "'";
    }
}
