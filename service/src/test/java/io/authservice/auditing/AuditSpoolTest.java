package io.authservice.auditing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditSpoolTest {
    @TempDir
    Path dir;

    private static List<byte[]> payloads(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> (prefix + i).getBytes(StandardCharsets.UTF_8)).toList();
    }

    private static List<String> strings(List<byte[]> records) {
        return records.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void recordsComeBackInOrderChunkByChunkAndAReplayedSegmentIsDeleted() throws Exception {
        final AuditSpool spool = new AuditSpool(dir, 1 << 20);
        spool.append(payloads("a", 3));
        spool.append(payloads("b", 2));
        assertThat(spool.bytes()).isPositive();

        final List<Path> segments = spool.seal();
        assertThat(segments).hasSize(1);
        spool.append(payloads("c", 1));  // goes to a new segment, not this replay's
        final AuditSpool.Chunk first = spool.read(segments.get(0), 4);
        assertThat(strings(first.records())).containsExactly("a0", "a1", "a2", "b0");
        spool.replayed(first);
        final AuditSpool.Chunk second = spool.read(segments.get(0), 4);
        assertThat(strings(second.records())).containsExactly("b1");
        spool.replayed(second);
        assertThat(Files.exists(segments.get(0))).isFalse();

        final List<Path> next = spool.seal();
        assertThat(next).hasSize(1);
        final AuditSpool.Chunk last = spool.read(next.get(0), 10);
        assertThat(strings(last.records())).containsExactly("c0");
        spool.replayed(last);
        assertThat(spool.isEmpty()).isTrue();
        assertThat(spool.seal()).isEmpty();
    }

    @Test
    void aRestartKeepsWhatWasNotReplayedAndWhereReplayStopped() throws Exception {
        final AuditSpool spool = new AuditSpool(dir, 1 << 20);
        spool.append(payloads("x", 5));
        final Path segment = spool.seal().get(0);
        spool.replayed(spool.read(segment, 2));
        spool.close();

        final AuditSpool reopened = new AuditSpool(dir, 1 << 20);
        assertThat(reopened.isEmpty()).isFalse();
        final List<Path> segments = reopened.seal();
        assertThat(strings(reopened.read(segments.get(0), 10).records())).containsExactly("x2", "x3", "x4");
        reopened.append(payloads("y", 1));
        assertThat(reopened.seal()).hasSize(2);
    }

    @Test
    void aTornLastRecordIsSkipped() throws Exception {
        final AuditSpool spool = new AuditSpool(dir, 1 << 20);
        spool.append(payloads("ok", 2));
        final Path segment = spool.seal().get(0);
        Files.write(segment, new byte[]{0, 0, 0, 50, 1, 2, 3}, StandardOpenOption.APPEND);  // a crash mid-write
        final AuditSpool.Chunk chunk = spool.read(segment, 10);
        assertThat(strings(chunk.records())).containsExactly("ok0", "ok1");
        spool.replayed(chunk);
        assertThat(spool.read(segment, 10).records()).isEmpty();
    }

    @Test
    void aReservedSegmentIsReplayedBeforeEverythingAppendedAfterTheReservationAlsoAfterARestart() throws Exception {
        final AuditSpool spool = new AuditSpool(dir, 1 << 20);
        final long reserved = spool.reserve();
        spool.append(payloads("newer", 2));
        spool.append(reserved, payloads("older", 2));  // the records in flight that failed later
        assertThat(spool.bytes()).isEqualTo(4 * (8 + 6));

        final AuditSpool reopened = new AuditSpool(dir, 1 << 20);
        final List<Path> segments = reopened.seal();
        assertThat(segments).hasSize(2);
        assertThat(strings(reopened.read(segments.get(0), 10).records())).containsExactly("older0", "older1");
        assertThat(strings(reopened.read(segments.get(1), 10).records())).containsExactly("newer0", "newer1");
        reopened.append(payloads("later", 1));
        assertThat(reopened.seal()).hasSize(3).last().isNotIn(segments);
    }

    @Test
    void aFullSpoolRefusesTheAppend() throws Exception {
        final AuditSpool spool = new AuditSpool(dir, 30);
        spool.append(payloads("abc", 2));  // 2 x (8 + 4)
        assertThatThrownBy(() -> spool.append(payloads("abc", 1))).isInstanceOf(AuditSpool.SpoolFullException.class);
    }
}
