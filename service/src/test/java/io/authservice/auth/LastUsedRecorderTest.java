package io.authservice.auth;

import io.authservice.db.ApiKeyDAO;
import io.authservice.db.Databases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** Batched last-used writes, against a real (in-memory H2) database with the real schema. */
class LastUsedRecorderTest {
    private final Jdbi jdbi = Databases.configure(Jdbi.create("jdbc:h2:mem:last-used-" + System.nanoTime()
            + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL"));
    private final LastUsedRecorder recorder = new LastUsedRecorder(jdbi, java.time.Duration.ofMinutes(1),
            Executors.newSingleThreadScheduledExecutor());

    private long insertKey(String hash) {
        return jdbi.withExtension(ApiKeyDAO.class, dao -> dao.insert("k", "prefix12", hash, "users:read", true,
                Instant.parse("2026-01-01T00:00:00Z"), null, null));
    }

    @Test
    void manyUsesBecomeOneWritePerKeyWithTheLatestTime() {
        Databases.migrate(jdbi);
        final long a = insertKey("a".repeat(64));
        final long b = insertKey("b".repeat(64));
        final Instant base = Instant.parse("2026-05-01T12:00:00Z");
        for (int i = 0; i < 500; i++) {
            recorder.recordUse(i % 2 == 0 ? a : b, base.plusSeconds(i));
        }
        assertThat(recorder.pendingKeys()).isEqualTo(2);

        assertThat(recorder.flush()).isEqualTo(2);
        assertThat(recorder.flush()).isZero();

        final List<Instant> stored = jdbi.withExtension(ApiKeyDAO.class, dao ->
                List.of(dao.findById(a).orElseThrow().lastUsedAt(), dao.findById(b).orElseThrow().lastUsedAt()));
        assertThat(stored).containsExactly(base.plusSeconds(498), base.plusSeconds(499));
    }

    @Test
    void anOlderUseNeverOverwritesANewerOne() {
        Databases.migrate(jdbi);
        final long a = insertKey("c".repeat(64));
        recorder.recordUse(a, Instant.parse("2026-05-01T12:00:00Z"));
        recorder.flush();
        recorder.recordUse(a, Instant.parse("2026-04-01T12:00:00Z"));
        recorder.flush();
        final Instant stored = jdbi.withExtension(ApiKeyDAO.class, dao -> dao.findById(a).orElseThrow().lastUsedAt());
        assertThat(stored).isEqualTo(Instant.parse("2026-05-01T12:00:00Z"));
    }

    @Test
    void usesAreKeptToTheSecond() {
        Databases.migrate(jdbi);
        final long a = insertKey("d".repeat(64));
        recorder.recordUse(a, Instant.parse("2026-05-01T12:00:00.100Z"));
        recorder.recordUse(a, Instant.parse("2026-05-01T12:00:00.900Z"));
        recorder.flush();
        final Instant stored = jdbi.withExtension(ApiKeyDAO.class, dao -> dao.findById(a).orElseThrow().lastUsedAt());
        assertThat(stored).isEqualTo(Instant.parse("2026-05-01T12:00:00Z"));
    }

    @Test
    void usesAreKeptWhenTheWriteFails() {
        // no schema: the write fails
        recorder.recordUse(7, Instant.parse("2026-05-01T12:00:00Z"));
        try {
            recorder.flush();
        } catch (RuntimeException expected) {
            assertThat(recorder.pendingKeys()).isEqualTo(1);
            return;
        }
        throw new AssertionError("the flush should have failed without a schema");
    }
}
