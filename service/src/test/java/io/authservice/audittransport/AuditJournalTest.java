package io.authservice.audittransport;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audittransport.AuditJournal.Entry;
import io.authservice.audittransport.AuditJournal.Position;
import io.authservice.audittransport.AuditJournal.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

class AuditJournalTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC);
    private static final int SEGMENT = 4096;

    @TempDir
    Path dir;

    private final MetricRegistry metrics = new MetricRegistry();
    private final List<AuditJournal> opened = new ArrayList<>();

    @AfterEach
    void closeJournals() {
        opened.forEach(AuditJournal::close);
    }

    private AuditJournal open(long segmentBytes, long maxBytes) {
        return open(new Settings(dir, segmentBytes, maxBytes, Duration.ofSeconds(1)));
    }

    /** A journal that makes its next segment at once, on the appending thread: what is on disk is known. */
    private AuditJournal open(Settings settings) {
        final AuditJournal journal = AuditJournal.open(settings, CLOCK, metrics, Runnable::run);
        opened.add(journal);
        return journal;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code text} padded with dots to {@code length} bytes. */
    private static byte[] padded(String text, int length) {
        return bytes(text + ".".repeat(Math.max(0, length - text.length())));
    }

    private static List<String> strings(List<Entry> entries) {
        return entries.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList();
    }

    /** Everything from {@code from} on, read in small batches as the shipper would. */
    private static List<Entry> readAll(AuditJournal journal, Position from) {
        final List<Entry> all = new ArrayList<>();
        Position at = from;
        for (List<Entry> batch = journal.read(at, 7); !batch.isEmpty(); batch = journal.read(at, 7)) {
            all.addAll(batch);
            at = batch.get(batch.size() - 1).next();
        }
        return all;
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("journal-\\d{20}\\.seg")).sorted().toList();
        }
    }

    private long corrupt() {
        return metrics.counter("audit.journal.corrupt").getCount();
    }

    private static List<String> names(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    private static void appendAll(AuditJournal journal, List<String> payloads) {
        for (String payload : payloads) {
            assertThat(journal.append(bytes(payload))).as(payload).isTrue();
        }
    }

    @Test
    void recordsComeBackInAppendOrderAcrossSegmentRolls() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        final List<String> payloads = IntStream.range(0, 200).mapToObj(i -> new String(padded("r" + i, 100))).toList();
        appendAll(journal, payloads);

        final List<Entry> entries = readAll(journal, journal.cursor());
        assertThat(strings(entries)).containsExactlyElementsOf(payloads);
        assertThat(entries).allSatisfy(e -> assertThat(e.appendedAt()).isEqualTo(CLOCK.millis()));
        assertThat(entries.stream().map(e -> e.position().segment()).distinct().count()).isGreaterThan(3);
        for (int i = 1; i < entries.size(); i++) {
            assertThat(entries.get(i).position()).isGreaterThan(entries.get(i - 1).position());
        }

        final List<Path> files = segmentFiles();
        long onDisk = Files.size(dir.resolve(AuditJournal.SPARE_FILE));  // the next segment, made ahead
        for (Path file : files) {
            onDisk += Files.size(file);
        }
        assertThat(journal.bytes()).isEqualTo(onDisk).isEqualTo((long) (files.size() + 1) * SEGMENT);
        assertThat(journal.segments()).isEqualTo(files.size());
        assertThat(metrics.getGauges().get("audit.journal.bytes").getValue()).isEqualTo(onDisk);
        assertThat(metrics.getGauges().get("audit.journal.segments").getValue()).isEqualTo(files.size());
        assertThat(metrics.meter("audit.journal.appended").getCount()).isEqualTo(200);
        assertThat(corrupt()).isZero();
    }

    @Test
    void theNextSegmentIsMadeAheadAndARollRenamesIt() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        final Path spare = dir.resolve(AuditJournal.SPARE_FILE);
        assertThat(Files.size(spare)).isEqualTo(SEGMENT);
        final List<Path> first = segmentFiles();
        assertThat(first).hasSize(1);

        appendAll(journal, IntStream.range(0, 20).mapToObj(i -> new String(padded("e" + i, 200))).toList());
        assertThat(segmentFiles()).hasSize(2).startsWith(first.get(0));
        assertThat(Files.size(spare)).as("made ahead again").isEqualTo(SEGMENT);
        assertThat(journal.bytes()).isEqualTo(3 * SEGMENT);
        journal.close();
        assertThat(spare).doesNotExist();
    }

    @Test
    void theJournalOpenedForTheServiceMakesTheNextSegmentOnItsOwnThread() {
        final AuditJournal journal = AuditJournal.open(new Settings(dir, SEGMENT, 1 << 20, Duration.ofSeconds(1)), CLOCK,
                metrics);
        opened.add(journal);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve(AuditJournal.SPARE_FILE))
                && journal.bytes() == 2 * SEGMENT);
        appendAll(journal, IntStream.range(0, 100).mapToObj(i -> new String(padded("e" + i, 200))).toList());
        assertThat(strings(readAll(journal, journal.cursor()))).hasSize(100);
        assertThat(journal.segments()).isGreaterThan(4);
    }

    @Test
    void aRecordLargerThanASegmentIsRefusedAndOneThatFillsItIsNot() {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        assertThat(journal.append(new byte[SEGMENT - AuditJournal.HEADER_BYTES + 1])).isFalse();
        assertThat(journal.append(new byte[SEGMENT - AuditJournal.HEADER_BYTES])).isTrue();
        assertThat(journal.append(bytes("after"))).isTrue();
        assertThat(strings(readAll(journal, journal.cursor()))).hasSize(2).last().isEqualTo("after");
        assertThat(metrics.meter("audit.journal.appended").getCount()).isEqualTo(2);
    }

    @Test
    void aTruncatedLastRecordAloneIsSkippedAndCountedAndLaterAppendsWork() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        appendAll(journal, names("ok", 5));
        final Entry last = journal.read(journal.cursor(), 5).get(4);
        journal.close();
        try (RandomAccessFile file = new RandomAccessFile(segmentFiles().get(0).toFile(), "rw")) {
            file.setLength(last.position().offset() + AuditJournal.HEADER_BYTES + 1);  // a crash mid-record
        }

        final AuditJournal reopened = open(SEGMENT, 1 << 20);
        assertThat(reopened.append(bytes("later"))).isTrue();
        assertThat(strings(readAll(reopened, reopened.cursor()))).containsExactly("ok0", "ok1", "ok2", "ok3", "later");
        assertThat(corrupt()).isEqualTo(1);
        readAll(reopened, reopened.cursor());
        assertThat(corrupt()).as("counted once, however often it is read").isEqualTo(1);
    }

    @Test
    void aLastRecordWithZeroedBytesAloneIsSkippedAndCounted() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        appendAll(journal, names("ok", 5));
        final Entry last = journal.read(journal.cursor(), 5).get(4);
        journal.close();
        try (RandomAccessFile file = new RandomAccessFile(segmentFiles().get(0).toFile(), "rw")) {
            file.seek(last.position().offset());
            file.write(new byte[8]);  // its magic and length never reached the page
        }

        final AuditJournal reopened = open(SEGMENT, 1 << 20);
        appendAll(reopened, List.of("later"));
        assertThat(strings(readAll(reopened, reopened.cursor()))).containsExactly("ok0", "ok1", "ok2", "ok3", "later");
        assertThat(corrupt()).isEqualTo(1);
    }

    @Test
    void aCorruptRecordInTheMiddleAloneIsSkippedAndCounted() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        appendAll(journal, names("event-", 10));
        final List<Entry> entries = journal.read(journal.cursor(), 10);
        journal.close();
        try (RandomAccessFile file = new RandomAccessFile(segmentFiles().get(0).toFile(), "rw")) {
            final long at = entries.get(4).position().offset() + AuditJournal.HEADER_BYTES + 2;  // in the payload
            file.seek(at);
            final int b = file.read();
            file.seek(at);
            file.write(b ^ 0x01);
        }

        final AuditJournal reopened = open(SEGMENT, 1 << 20);
        final List<String> expected = new ArrayList<>(names("event-", 10));
        expected.remove("event-4");
        assertThat(strings(readAll(reopened, reopened.cursor()))).containsExactlyElementsOf(expected);
        assertThat(corrupt()).isEqualTo(1);
    }

    @Test
    void aDamagedLengthIsSkippedAloneToo() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        appendAll(journal, names("event-", 10));
        final List<Entry> entries = journal.read(journal.cursor(), 10);
        journal.close();
        try (RandomAccessFile file = new RandomAccessFile(segmentFiles().get(0).toFile(), "rw")) {
            file.seek(entries.get(2).position().offset() + 4);
            file.writeInt(1_000_000);  // points past the segment's end
            file.seek(entries.get(6).position().offset() + 4);
            file.writeInt(64);  // points into the next record
        }

        final AuditJournal reopened = open(SEGMENT, 1 << 20);
        final List<String> expected = new ArrayList<>(names("event-", 10));
        expected.removeAll(List.of("event-2", "event-6"));
        assertThat(strings(readAll(reopened, reopened.cursor()))).containsExactlyElementsOf(expected);
        assertThat(corrupt()).isEqualTo(2);
    }

    @Test
    void aFullJournalRefusesAppendsUntilACommitFreesSpace() throws Exception {
        final AuditJournal journal = open(SEGMENT, 3 * SEGMENT);
        assertThat(journal.full()).isFalse();
        int appended = 0;
        while (journal.append(padded("event-" + appended, 200))) {
            appended++;
        }
        assertThat(appended).isGreaterThan(3 * SEGMENT / 256);  // about three segments' worth went in
        assertThat(journal.full()).isTrue();
        assertThat(journal.bytes()).isLessThanOrEqualTo(3 * SEGMENT);
        assertThat(journal.append(bytes("x"))).as("still full").isFalse();
        assertThat(metrics.meter("audit.journal.appended").getCount()).isEqualTo(appended);

        final List<Entry> entries = readAll(journal, journal.cursor());
        assertThat(entries).hasSize(appended);
        journal.commit(entries.get(entries.size() - 1).next());
        assertThat(journal.full()).isFalse();
        assertThat(segmentFiles()).hasSize(1);  // only the one appended to is left
        assertThat(journal.bytes()).isEqualTo(2 * SEGMENT);  // and the next one, made ahead again
        assertThat(journal.append(padded("after", 200))).isTrue();
        assertThat(strings(journal.read(journal.cursor(), 10))).containsExactly(new String(padded("after", 200)));
    }

    @Test
    void aReopenedJournalResumesFromTheCursorInANewSegment() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        appendAll(journal, names("a", 10));
        final List<Entry> entries = journal.read(journal.cursor(), 10);
        journal.commit(entries.get(4).next());
        journal.close();

        final AuditJournal reopened = open(SEGMENT, 1 << 20);
        assertThat(reopened.cursor()).isEqualTo(entries.get(4).next());
        assertThat(segmentFiles()).hasSize(2);
        appendAll(reopened, List.of("b0"));
        final List<Entry> rest = readAll(reopened, reopened.cursor());
        assertThat(strings(rest)).containsExactly("a5", "a6", "a7", "a8", "a9", "b0");
        assertThat(rest.get(5).position().segment()).isGreaterThan(rest.get(4).position().segment());
    }

    @Test
    void aDamagedCursorShipsEverythingKeptAgain() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        appendAll(journal, names("a", 3));
        journal.commit(journal.read(journal.cursor(), 3).get(1).next());
        journal.close();
        Files.write(dir.resolve("cursor"), new byte[]{1, 2, 3});

        final AuditJournal reopened = open(SEGMENT, 1 << 20);
        assertThat(strings(readAll(reopened, reopened.cursor()))).containsExactly("a0", "a1", "a2");
    }

    @Test
    void aCommitDeletesOnlySegmentsWhollyBeforeIt() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        appendAll(journal, IntStream.range(0, 60).mapToObj(i -> new String(padded("e" + i, 200))).toList());
        final List<Entry> entries = readAll(journal, journal.cursor());
        final List<Path> files = segmentFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(4);
        final long second = entries.stream().map(e -> e.position().segment()).distinct().toList().get(1);
        final Entry inSecond = entries.stream().filter(e -> e.position().segment() == second).toList().get(2);

        journal.commit(inSecond.next());
        assertThat(segmentFiles()).isEqualTo(files.subList(1, files.size()));
        assertThat(journal.bytes()).isEqualTo((long) files.size() * SEGMENT);  // one fewer, and the one made ahead
        assertThat(strings(readAll(journal, journal.cursor())))
                .isEqualTo(strings(entries.subList(entries.indexOf(inSecond) + 1, entries.size())));

        journal.commit(entries.get(0).next());
        assertThat(journal.cursor()).as("commits only move forward").isEqualTo(inSecond.next());

        final Entry lastInSecond = entries.stream().filter(e -> e.position().segment() == second).reduce((a, b) -> b)
                .orElseThrow();
        assertThat(lastInSecond.next().segment()).as("the last record of a full segment points at the next one")
                .isGreaterThan(second);
        journal.commit(lastInSecond.next());
        assertThat(segmentFiles()).isEqualTo(files.subList(2, files.size()));

        journal.commit(entries.get(entries.size() - 1).next());
        assertThat(segmentFiles()).as("never the one appended to").isEqualTo(files.subList(files.size() - 1,
                files.size()));
        appendAll(journal, List.of("more"));
        assertThat(strings(journal.read(journal.cursor(), 10))).containsExactly("more");
    }

    @Test
    void aDeletedSegmentIsUnmappedAtOnceSoItsDiskSpaceComesBack() throws Exception {
        final Path maps = Path.of("/proc/self/maps");
        assumeThat(Files.isReadable(maps)).isTrue();
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        appendAll(journal, IntStream.range(0, 40).mapToObj(i -> new String(padded("e" + i, 200))).toList());
        final List<Path> files = segmentFiles();
        assertThat(Files.readString(maps)).contains(files.get(0).toString());

        final List<Entry> entries = readAll(journal, journal.cursor());
        journal.commit(entries.get(entries.size() - 1).next());
        assertThat(Files.readString(maps)).doesNotContain(files.get(0).toString())
                .contains(files.get(files.size() - 1).toString());
        journal.close();
        assertThat(Files.readString(maps)).doesNotContain(dir.toString());
    }

    @Test
    void aSecondOpenOfTheDirectoryFailsClearly() {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        assertThatThrownBy(() -> open(SEGMENT, 1 << 20))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("in use");
        appendAll(journal, List.of("still works"));
        journal.close();
        final AuditJournal again = open(SEGMENT, 1 << 20);
        assertThat(strings(readAll(again, again.cursor()))).containsExactly("still works");
    }

    @Test
    void theDirectoryAndFilesAreTheOwnersOnly() throws Exception {
        assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
        final Path directory = dir.resolve("data").resolve("journal");
        final AuditJournal journal = open(new Settings(directory, SEGMENT, 1 << 20, Duration.ofSeconds(1)));
        appendAll(journal, List.of("x"));
        journal.commit(journal.read(journal.cursor(), 1).get(0).next());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(directory)) {
            final List<Path> all = files.toList();
            assertThat(all.stream().map(p -> p.getFileName().toString()))
                    .contains("cursor", "journal.lock").anyMatch(n -> n.endsWith(".seg"));
            for (Path file : all) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
                        .isEqualTo("rw-------");
            }
        }
    }

    @Test
    void settingsOutOfRangeAreRefusedClearly() {
        assertThatThrownBy(() -> open(100, 1 << 20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segmentBytes");
        assertThatThrownBy(() -> open(SEGMENT, 2 * SEGMENT - 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> open(new Settings(dir, SEGMENT, 1 << 20, Duration.ofSeconds(-1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("syncInterval");
    }

    @Test
    void manyThreadsAppendingAtOnceLoseAndDuplicateNothingAndKeepEachThreadsOrder() throws Exception {
        final int threads = 4;
        final int perThread = 10_000;
        final AuditJournal journal = open(64 * 1024, 64 << 20);
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicBoolean refused = new AtomicBoolean();
        try {
            for (int t = 0; t < threads; t++) {
                final int thread = t;
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        if (!journal.append(bytes(thread + ":" + i))) {
                            refused.set(true);
                        }
                    }
                    return null;
                });
            }
            start.countDown();
            // read while they append, as the shipper does: a record is seen whole or not at all
            final List<Entry> read = new ArrayList<>();
            Position at = journal.cursor();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read.size() < threads * perThread && System.nanoTime() < deadline) {
                final List<Entry> batch = journal.read(at, 500);
                if (batch.isEmpty()) {
                    journal.awaitRecord(at, 100, TimeUnit.MILLISECONDS);
                    continue;
                }
                read.addAll(batch);
                at = batch.get(batch.size() - 1).next();
            }

            assertThat(refused).isFalse();
            assertThat(read).hasSize(threads * perThread);
            final Map<String, List<Integer>> byThread = new HashMap<>();
            for (String record : strings(read)) {
                final String[] parts = record.split(":");
                byThread.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
            }
            assertThat(byThread).hasSize(threads);
            assertThat(byThread.values()).allSatisfy(seq -> assertThat(seq).isEqualTo(
                    IntStream.range(0, perThread).boxed().toList()));
            assertThat(journal.segments()).isGreaterThan(1);
            assertThat(corrupt()).isZero();
            assertThat(journal.read(at, 1)).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void awaitRecordReturnsPromptlyAfterAnAppendFromAnotherThread() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        final Position from = journal.cursor();
        final CompletableFuture<Boolean> woken = new CompletableFuture<>();
        final Thread waiter = new Thread(() -> {
            try {
                woken.complete(journal.awaitRecord(from, 60, TimeUnit.SECONDS));
            } catch (Throwable e) {
                woken.completeExceptionally(e);
            }
        });
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        assertThat(woken).isNotDone();

        appendAll(journal, List.of("wake up"));
        await().atMost(Duration.ofSeconds(5)).until(woken::isDone);
        assertThat(woken.get()).isTrue();
        assertThat(journal.awaitRecord(from, 0, TimeUnit.SECONDS)).as("a record is already there").isTrue();
    }

    @Test
    void awaitRecordReturnsFalseWhenNothingIsAppendedInTime() throws Exception {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        appendAll(journal, List.of("one"));
        final Position past = journal.read(journal.cursor(), 1).get(0).next();
        final long started = System.nanoTime();
        assertThat(journal.awaitRecord(past, 200, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void withSyncIntervalZeroEveryAppendAndCommitIsForcedAndReadBack() {
        final Settings settings = new Settings(dir, SEGMENT, 1 << 20, Duration.ZERO);
        final AuditJournal journal = open(settings);
        appendAll(journal, names("s", 50));
        journal.commit(journal.read(journal.cursor(), 10).get(9).next());
        journal.close();
        final AuditJournal reopened = open(settings);
        assertThat(strings(readAll(reopened, reopened.cursor()))).isEqualTo(names("s", 50).subList(10, 50));
    }

    @Test
    void closeReleasesTheDirectoryAndRefusesFurtherUse() {
        final AuditJournal journal = open(SEGMENT, 1 << 20);
        journal.close();
        journal.close();  // twice is harmless
        assertThat(journal.append(bytes("late"))).isFalse();
        assertThatThrownBy(() -> journal.read(journal.cursor(), 1)).isInstanceOf(IllegalStateException.class);
        assertThat(metrics.getGauges()).doesNotContainKey("audit.journal.bytes");
        open(SEGMENT, 1 << 20);
        assertThat(metrics.getGauges()).containsKey("audit.journal.bytes");
    }

    // --- a real crash: a child JVM killed with SIGKILL while it appends ---------------------------

    /** The journal {@link JournalCrashChild} appends to. */
    static Settings crashSettings(Path directory) {
        return new Settings(directory, 1 << 20, 256L << 20, Duration.ofSeconds(1));
    }

    /** The {@code i}th record {@link JournalCrashChild} appends: about an audit event's size. */
    static byte[] crashPayload(int i) {
        return padded("event-" + i + ":", 300);
    }

    @Test
    void everyRecordWhoseAppendReturnedSurvivesAKill() throws Exception {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                JournalCrashChild.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        final Set<Integer> printed = new HashSet<>();
        try {
            final Future<?> reading = CompletableFuture.runAsync(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null && printed.size() < 20_000; line = out.readLine()) {
                        if (line.startsWith("appended ")) {
                            printed.add(Integer.parseInt(line.substring("appended ".length())));
                        }
                        assertThat(line).isNotEqualTo("full");
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            reading.get(120, TimeUnit.SECONDS);
            assertThat(printed).hasSize(20_000);
        } finally {
            child.destroyForcibly();  // SIGKILL, mid-way through its appends
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).isEqualTo(137);

        final AuditJournal journal = open(crashSettings(dir));
        final List<Entry> entries = readAll(journal, journal.cursor());
        assertThat(entries.size()).isGreaterThanOrEqualTo(printed.size());
        for (int i = 0; i < entries.size(); i++) {
            assertThat(entries.get(i).payload()).isEqualTo(crashPayload(i));  // in order, none lost, none twice
        }
        assertThat(corrupt()).as("at most the record being copied when the kill came").isLessThanOrEqualTo(1);
    }
}
