package io.authservice.audit.seal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a verification of the sealed trail over a range found: how much it checked and every finding
 * (at most {@link TrailVerifier#MAX_LISTED} listed; {@code counts} counts them all, by kind).
 *
 * @param from null: from the beginning
 * @param to   null: up to now
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrailVerification(Instant from, Instant to, int chains, long digests, long events,
                                Map<TrailFinding.Kind, Long> counts, List<TrailFinding> findings) {
    public TrailVerification {
        counts = Map.copyOf(counts);
        findings = List.copyOf(findings);
    }

    /** True when everything holds. */
    @JsonProperty("ok")
    public boolean ok() {
        return counts.isEmpty();
    }
}
