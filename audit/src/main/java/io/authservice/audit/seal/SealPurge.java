package io.authservice.audit.seal;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * A chain's signed "purged up to here" record (a row of {@code audit_seal_purges}): retention removed
 * the chain's seals up to {@code lastSeq}, each with its whole batch, the last of them had the digest
 * {@code lastDigest}; the first kept seal links to it. Signed by the purging writer's key over
 * {@link #signedContent()}, a few lines of text like a {@link Seal}'s.
 */
public record SealPurge(String chainId, long lastSeq, String lastDigest, Instant cutoff, Instant purgedAt, String keyId,
                        String signature) {
    /** The first line of what is signed: not a seal's form, so neither can pass for the other. */
    static final String FORM = "auth-service audit purge v1";
    static final String COLUMNS = "chain_id, last_seq, last_digest, cutoff, purged_at, key_id, signature";

    public SealPurge {
        Objects.requireNonNull(chainId, "chainId");
    }

    /** The text that is signed, as UTF-8 bytes. */
    public byte[] signedContent() {
        return (FORM + "\nchain=" + chainId + "\nlast_seq=" + lastSeq + "\nlast_digest=" + lastDigest + "\ncutoff=" + cutoff
                + "\npurged=" + purgedAt + "\nkey=" + keyId + "\n").getBytes(StandardCharsets.UTF_8);
    }

    SealPurge signedBy(SealKey key) {
        final SealPurge unsigned = new SealPurge(chainId, lastSeq, lastDigest, cutoff, purgedAt, key.keyId(), null);
        return new SealPurge(chainId, lastSeq, lastDigest, cutoff, purgedAt, key.keyId(), key.sign(unsigned.signedContent()));
    }

    static SealPurge read(ResultSet rs) throws SQLException {
        return new SealPurge(rs.getString("chain_id"), rs.getLong("last_seq"), rs.getString("last_digest"),
                rs.getObject("cutoff", OffsetDateTime.class).toInstant(), rs.getObject("purged_at", OffsetDateTime.class).toInstant(),
                rs.getString("key_id"), rs.getString("signature"));
    }
}
