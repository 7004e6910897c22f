package io.authservice.audit.seal;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.UUID;

/**
 * One thing that does not hold in a sealed trail.
 *
 * @param chain   the chain it was found in (null for an event no chain holds)
 * @param seq     the digest row it is about, when it is about one
 * @param eventId the event it is about, when it is about one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrailFinding(Kind kind, String chain, Long seq, UUID eventId, String detail) {
    /** What was found, named as the verifier reports it. */
    public enum Kind {
        /** A stored event differs from what its batch sealed. */
        EVENT_CHANGED,
        /** An event its batch sealed is not in the store. */
        EVENT_DELETED,
        /** A stored event no sealed batch holds: inserted outside any writer's batch. */
        EVENT_UNSEALED,
        /** A sequence number of a chain has no digest row. */
        DIGEST_MISSING,
        /** A digest row stands at a sequence number other than the one it was signed for. */
        DIGEST_OUT_OF_ORDER,
        /** A digest row's previous digest is not the digest of the row before it. */
        BROKEN_LINK,
        /** A digest row's signature does not verify with the key it names. */
        BAD_SIGNATURE,
        /** A digest row names a key the verifier does not trust. */
        UNKNOWN_KEY
    }
}
