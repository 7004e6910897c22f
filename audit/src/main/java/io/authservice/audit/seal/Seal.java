package io.authservice.audit.seal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One row of {@code audit_seals}: the signed digest of one batch a writer stored ({@link #BATCH}).
 * ({@link #PURGED} is reserved and not written: where retention cut a chain is its {@link SealPurge}.)
 *
 * <p>What is signed is {@link #signedContent()}: a few lines of text, one field a line, that anyone
 * can rebuild from the row. The row's {@link #digest()} is the SHA-256 of that text; the next row of
 * the chain holds it as its {@code prevDigest}, the first row of a chain holds {@link #GENESIS}.
 *
 * @param eventsSha256 hex SHA-256 of {@code members}: each event's id (16 bytes, big-endian) and the
 *                     SHA-256 of its wire form (32 bytes), in id order
 */
public record Seal(String chainId, long seq, String kind, int eventCount, Instant firstAt, Instant lastAt,
                   String eventsSha256, byte[] members, String prevDigest, String keyId, String signature,
                   Instant sealedAt) {
    public static final String BATCH = "batch";
    public static final String PURGED = "purged";
    /** The previous digest of a chain's first row. */
    public static final String GENESIS = "0".repeat(64);
    /** The first line of what is signed: names this form, so a later one cannot be mistaken for it. */
    static final String FORM = "auth-service audit seal v1";

    public Seal {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(kind, "kind");
    }

    /** The text that is signed, as UTF-8 bytes. */
    public byte[] signedContent() {
        return signedContent(seq);
    }

    /** What would be signed were this row at {@code seq}: how a verifier finds the place a moved row was signed for. */
    byte[] signedContent(long atSeq) {
        return (FORM + "\nchain=" + chainId + "\nseq=" + atSeq + "\nkind=" + kind + "\nevents=" + eventCount
                + "\nfirst=" + firstAt + "\nlast=" + lastAt + "\nevents_sha256=" + eventsSha256
                + "\nprev=" + prevDigest + "\nkey=" + keyId + "\nsealed=" + sealedAt + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Hex SHA-256 of {@link #signedContent()}. */
    public String digest() {
        return SealKey.Sha256.hex(signedContent());
    }

    String digest(long atSeq) {
        return SealKey.Sha256.hex(signedContent(atSeq));
    }

    /** This row with {@code key}'s signature of it. */
    Seal signedBy(SealKey key) {
        final Seal unsigned = new Seal(chainId, seq, kind, eventCount, firstAt, lastAt, eventsSha256, members, prevDigest,
                key.keyId(), null, sealedAt);
        return new Seal(chainId, seq, kind, eventCount, firstAt, lastAt, eventsSha256, members, prevDigest,
                key.keyId(), key.sign(unsigned.signedContent()), sealedAt);
    }
}
