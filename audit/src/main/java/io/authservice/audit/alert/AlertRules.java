package io.authservice.audit.alert;

import com.google.common.collect.Lists;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.audit.AuditStore;
import io.authservice.audit.UtcInstantArgumentFactory;
import org.jdbi.v3.core.Handle;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The alert rules, evaluated on each batch the audit store takes: a {@link AuditStore.BatchStep}, so it
 * sees each stored event once (whichever writer stored it: the service's direct sink, an audit-consumer),
 * and its state ({@code audit_alert_counts}, {@code audit_alert_marks}) commits or rolls back with the
 * events. What it finds goes to the {@link AlertOutbox} in the same transaction.
 *
 * <ul>
 *   <li>{@value #FAILURE_BURST}: at least {@code threshold} failures from one client address, or with one
 *       fingerprint, within one fixed window (counted from the epoch), counted across batches and writers
 *       in {@code audit_alert_counts}; the writer whose count crosses the threshold raises it;</li>
 *   <li>{@value #RETIRED_KEY_USED}: a key refused as inactive or expired more than {@code grace} after it
 *       was retired (its latest {@code api_key.deactivated}, {@code api_key.rotated} event; else its first
 *       refusal), and a key presented after it was deleted (its fingerprint, seen while it was refused as
 *       inactive or expired, now refused as unknown); once per key per {@code repeatEvery};</li>
 *   <li>{@value #NEW_ADDRESS_RANGE}: a key used from a /24 (IPv4) or /48 (IPv6) it was not used from in the
 *       last {@code days} days, when it was used from elsewhere in that time (a key's first use is not);</li>
 *   <li>{@value #REFRESH_REUSED}: each {@code token.refresh_reused} event (once per user per minute).</li>
 * </ul>
 */
public final class AlertRules implements AuditStore.BatchStep {
    public static final String FAILURE_BURST = AuditReasons.FAILURE_BURST;
    public static final String RETIRED_KEY_USED = AuditReasons.RETIRED_KEY_USED;
    public static final String NEW_ADDRESS_RANGE = AuditReasons.NEW_ADDRESS_RANGE;
    public static final String REFRESH_REUSED = AuditReasons.REFRESH_TOKEN_REUSED;
    /** The rule name of a test alert. */
    public static final String TEST = AuditReasons.TEST_ALERT;
    /** Every rule name an alert may carry. */
    public static final List<String> RULES = List.of(FAILURE_BURST, RETIRED_KEY_USED, NEW_ADDRESS_RANGE, REFRESH_REUSED, TEST);

    /** Marks: a retired key's first refusal, and the fingerprint it was presented with. */
    static final String MARK_RETIRED_KEY = "retired_key";
    static final String MARK_RETIRED_FINGERPRINT = "retired_fingerprint";
    /** Marks: the last use of a key, and of a key from an address range. */
    static final String MARK_KEY_SEEN = "key_seen";
    static final String MARK_KEY_RANGE = "key_range";
    /** A mark's last use is written again only when it moved by more than this: steady traffic reads, and seldom writes. */
    static final Duration MARK_RESOLUTION = Duration.ofHours(1);
    private static final int IN_LIST = 500;

    private final AlertConfig config;
    private final AlertOutbox outbox;

    public AlertRules(AlertConfig config, AlertOutbox outbox) {
        this.config = Objects.requireNonNull(config, "config");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
    }

    @Override
    public void stored(Handle handle, List<AuditEvent> inserted) {
        final List<AuditEvent> events = inserted.stream().filter(e -> !AuditEventTypes.ALERT_RAISED.equals(e.type())).toList();
        if (events.isEmpty()) {
            return;
        }
        final boolean h2 = AuditStore.isH2(handle);
        final Map<String, Alert> found = new LinkedHashMap<>();
        if (config.getFailureBurst().isEnabled()) {
            failureBursts(handle, h2, events).forEach(a -> found.putIfAbsent(a.dedupeKey(), a));
        }
        if (config.getRetiredKey().isEnabled()) {
            retiredKeys(handle, h2, events).forEach(a -> found.putIfAbsent(a.dedupeKey(), a));
        }
        if (config.getNewAddressRange().isEnabled()) {
            newRanges(handle, h2, events).forEach(a -> found.putIfAbsent(a.dedupeKey(), a));
        }
        if (config.getRefreshReuse().isEnabled()) {
            refreshReuses(events).forEach(a -> found.putIfAbsent(a.dedupeKey(), a));
        }
        outbox.raise(handle, new ArrayList<>(found.values()));
    }

    // --- failure bursts ---

    private record Window(String subject, Instant start) implements Comparable<Window> {
        @Override
        public int compareTo(Window o) {
            final int c = subject.compareTo(o.subject);
            return c != 0 ? c : start.compareTo(o.start);
        }
    }

    private List<Alert> failureBursts(Handle handle, boolean h2, List<AuditEvent> events) {
        final AlertConfig.FailureBurst rule = config.getFailureBurst();
        final Duration window = rule.getWindow().toJavaDuration();
        final Map<Window, long[]> added = new TreeMap<>();  // in key order: writers lock count rows in one order
        final Map<Window, AuditEvent> last = new HashMap<>();
        for (AuditEvent e : events) {
            if (!AuditEvent.FAILURE.equals(e.outcome())) {
                continue;
            }
            final Instant start = Alert.windowOf(e.occurredAt(), window);
            for (String subject : failureSubjects(e)) {
                final Window w = new Window(subject, start);
                added.computeIfAbsent(w, k -> new long[1])[0]++;
                last.put(w, e);
            }
        }
        if (added.isEmpty()) {
            return List.of();
        }
        final String upsert = h2
                ? "MERGE INTO audit_alert_counts t USING (VALUES (CAST(:rule AS VARCHAR(64)), CAST(:subject AS VARCHAR(255)),"
                + " CAST(:start AS TIMESTAMP WITH TIME ZONE), CAST(:events AS BIGINT))) AS s (rule, subject, window_start, events)"
                + " ON t.rule = s.rule AND t.subject = s.subject AND t.window_start = s.window_start"
                + " WHEN MATCHED THEN UPDATE SET events = t.events + s.events"
                + " WHEN NOT MATCHED THEN INSERT (rule, subject, window_start, events) VALUES (s.rule, s.subject, s.window_start, s.events)"
                : "INSERT INTO audit_alert_counts (rule, subject, window_start, events) VALUES (:rule, :subject, :start, :events)"
                + " ON CONFLICT (rule, subject, window_start) DO UPDATE SET events = audit_alert_counts.events + EXCLUDED.events";
        final var batch = handle.prepareBatch(upsert).registerArgument(new UtcInstantArgumentFactory());
        added.forEach((w, n) -> batch.bind("rule", FAILURE_BURST).bind("subject", w.subject()).bind("start", w.start())
                .bind("events", n[0]).add());
        batch.execute();
        // each row now holds every writer's count (this transaction holds its lock): the crossing is ours alone
        final Map<Window, Long> totals = new HashMap<>();
        final List<Window> windows = new ArrayList<>(added.keySet());
        for (List<Window> chunk : Lists.partition(windows, IN_LIST)) {
            handle.createQuery("SELECT subject, window_start, events FROM audit_alert_counts WHERE rule = :rule"
                            + " AND subject IN (<subjects>) AND window_start IN (<starts>)")
                    .registerArgument(new UtcInstantArgumentFactory())
                    .bind("rule", FAILURE_BURST)
                    .bindList("subjects", chunk.stream().map(Window::subject).distinct().toList())
                    .bindList("starts", chunk.stream().map(Window::start).distinct().toList())
                    .map((rs, ctx) -> Map.entry(new Window(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant()),
                            rs.getLong(3)))
                    .forEach(e -> totals.put(e.getKey(), e.getValue()));
        }
        final long threshold = rule.getThreshold();
        final List<Alert> alerts = new ArrayList<>();
        added.forEach((w, n) -> {
            final long total = totals.getOrDefault(w, n[0]);
            if (total >= threshold && total - n[0] < threshold) {
                alerts.add(new Alert(FAILURE_BURST, w.subject(), w.start(), window, total, threshold, last.get(w)));
            }
        });
        return alerts;
    }

    private static List<String> failureSubjects(AuditEvent e) {
        final List<String> subjects = new ArrayList<>(2);
        if (e.clientAddress() != null) {
            subjects.add("address:" + e.clientAddress());
        }
        if (e.fingerprint() != null) {
            subjects.add("fingerprint:" + e.fingerprint());
        }
        return subjects;
    }

    // --- retired keys ---

    private record Mark(Instant firstAt, Instant lastAt, String detail) {
    }

    private List<Alert> retiredKeys(Handle handle, boolean h2, List<AuditEvent> events) {
        final AlertConfig.RetiredKey rule = config.getRetiredKey();
        final Duration grace = rule.getGrace().toJavaDuration();
        final Duration repeat = rule.getRepeatEvery().toJavaDuration();
        final List<AuditEvent> retired = new ArrayList<>();
        final List<AuditEvent> unknown = new ArrayList<>();
        for (AuditEvent e : events) {
            if (!AuditEventTypes.API_KEY_REJECTED.equals(e.type())) {
                continue;
            }
            if (e.keyId() != null && (AuditReasons.INACTIVE.equals(e.reason()) || AuditReasons.EXPIRED.equals(e.reason()))) {
                retired.add(e);
            } else if (e.keyId() == null && AuditReasons.UNKNOWN.equals(e.reason()) && e.fingerprint() != null) {
                unknown.add(e);
            }
        }
        if (retired.isEmpty() && unknown.isEmpty()) {
            return List.of();
        }
        final Map<String, List<AuditEvent>> byKey = new TreeMap<>();
        final Map<String, Mark> newMarks = new TreeMap<>();
        final Map<String, Mark> newFingerprints = new TreeMap<>();
        for (AuditEvent e : retired) {
            final String subject = "key:" + e.keyId();
            byKey.computeIfAbsent(subject, s -> new ArrayList<>()).add(e);
            newMarks.merge(subject, new Mark(e.occurredAt(), e.occurredAt(), e.keyName()), AlertRules::span);
            if (e.fingerprint() != null) {
                newFingerprints.merge("fingerprint:" + e.fingerprint(), new Mark(e.occurredAt(), e.occurredAt(),
                        String.valueOf(e.keyId())), AlertRules::span);
            }
        }
        final Map<String, Mark> marks = marks(handle, MARK_RETIRED_KEY, byKey.keySet());
        // when each key was retired, as the trail tells it: its latest deactivation or rotation
        final Map<Long, Instant> lifecycle = new HashMap<>();
        final List<Long> keyIds = retired.stream().map(AuditEvent::keyId).distinct().toList();
        for (List<Long> chunk : Lists.partition(keyIds, IN_LIST)) {
            handle.createQuery("SELECT key_id, MAX(occurred_at) FROM audit_events WHERE key_id IN (<ids>)"
                            + " AND type IN ('" + AuditEventTypes.API_KEY_DEACTIVATED + "', '" + AuditEventTypes.API_KEY_ROTATED + "')"
                            + " GROUP BY key_id")
                    .bindList("ids", chunk)
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant()))
                    .forEach(e -> lifecycle.put(e.getKey(), e.getValue()));
        }
        final Map<String, Alert> alerts = new LinkedHashMap<>();
        byKey.forEach((subject, uses) -> {
            final Mark mark = marks.containsKey(subject) ? span(marks.get(subject), newMarks.get(subject)) : newMarks.get(subject);
            for (AuditEvent e : uses) {
                final Instant deactivated = lifecycle.get(e.keyId());
                final Instant since = AuditReasons.INACTIVE.equals(e.reason()) && deactivated != null
                        && !deactivated.isAfter(e.occurredAt()) ? deactivated : mark.firstAt();
                if (!e.occurredAt().isBefore(since.plus(grace))) {
                    count(alerts, new Alert(RETIRED_KEY_USED, subject, Alert.windowOf(e.occurredAt(), repeat), repeat, 1, null, e));
                }
            }
        });
        // a deleted key: refused as unknown now, with the fingerprint it was presented with while retired
        final Set<String> fingerprints = new TreeSet<>();
        unknown.forEach(e -> fingerprints.add("fingerprint:" + e.fingerprint()));
        final Map<String, Mark> known = fingerprints.isEmpty() ? Map.of() : marks(handle, MARK_RETIRED_FINGERPRINT, fingerprints);
        for (AuditEvent e : unknown) {
            final Mark mark = known.get("fingerprint:" + e.fingerprint());
            if (mark != null && !e.occurredAt().isBefore(mark.firstAt().plus(grace))) {
                count(alerts, new Alert(RETIRED_KEY_USED, "key:" + mark.detail(), Alert.windowOf(e.occurredAt(), repeat), repeat,
                        1, null, e));
            }
        }
        final Map<String, Mark> write = new TreeMap<>();
        newMarks.forEach((s, m) -> {
            if (!marks.containsKey(s)) {
                write.put(s, m);
            }
        });
        putMarks(handle, h2, MARK_RETIRED_KEY, write, false);
        putMarks(handle, h2, MARK_RETIRED_FINGERPRINT, newFingerprints, false);
        return new ArrayList<>(alerts.values());
    }

    /** Adds the alert, or one to the count of the alert already found for its subject and window. */
    private static void count(Map<String, Alert> alerts, Alert alert) {
        alerts.merge(alert.dedupeKey(), alert, (a, b) -> new Alert(a.rule(), a.subject(), a.windowStart(), a.window(),
                a.count() + b.count(), a.threshold(), a.trigger()));
    }

    private static Mark span(Mark a, Mark b) {
        if (b == null) {
            return a;
        }
        return new Mark(a.firstAt().isBefore(b.firstAt()) ? a.firstAt() : b.firstAt(),
                a.lastAt().isAfter(b.lastAt()) ? a.lastAt() : b.lastAt(), a.detail() != null ? a.detail() : b.detail());
    }

    // --- new address ranges ---

    private record KeyRange(long keyId, String range) {
    }

    private List<Alert> newRanges(Handle handle, boolean h2, List<AuditEvent> events) {
        final Duration lookBack = Duration.ofDays(config.getNewAddressRange().getDays());
        final Map<KeyRange, Mark> uses = new LinkedHashMap<>();
        final Map<KeyRange, AuditEvent> first = new HashMap<>();
        final Map<String, Mark> keyUses = new TreeMap<>();
        for (AuditEvent e : events) {
            if (!AuditEventTypes.API_KEY_USED.equals(e.type()) || e.keyId() == null) {
                continue;
            }
            final String range = AddressRanges.rangeOf(e.clientAddress());
            if (range == null) {
                continue;
            }
            final KeyRange kr = new KeyRange(e.keyId(), range);
            uses.merge(kr, new Mark(e.occurredAt(), e.occurredAt(), null), AlertRules::span);
            first.merge(kr, e, (a, b) -> a.occurredAt().isAfter(b.occurredAt()) ? b : a);
            keyUses.merge("key:" + e.keyId(), new Mark(e.occurredAt(), e.occurredAt(), null), AlertRules::span);
        }
        if (uses.isEmpty()) {
            return List.of();
        }
        final Function<KeyRange, String> rangeSubject = kr -> "key:" + kr.keyId() + " range:" + kr.range();
        final Map<String, Mark> seen = marks(handle, MARK_KEY_SEEN, keyUses.keySet());
        final Map<String, Mark> ranges = marks(handle, MARK_KEY_RANGE, uses.keySet().stream().map(rangeSubject).toList());
        final Duration day = Duration.ofDays(1);
        final List<Alert> alerts = new ArrayList<>();
        final Map<String, Mark> writeRanges = new TreeMap<>();
        uses.forEach((kr, use) -> {
            final String subject = rangeSubject.apply(kr);
            final Mark key = seen.get("key:" + kr.keyId());
            final Mark range = ranges.get(subject);
            final boolean keyKnown = key != null && !key.lastAt().isBefore(use.firstAt().minus(lookBack));
            final boolean rangeKnown = range != null && !range.lastAt().isBefore(use.firstAt().minus(lookBack));
            if (keyKnown && !rangeKnown) {
                alerts.add(new Alert(NEW_ADDRESS_RANGE, subject, Alert.windowOf(use.firstAt(), day), day,
                        1, null, first.get(kr)));
            }
            if (range == null || range.lastAt().isBefore(use.lastAt().minus(MARK_RESOLUTION))) {
                writeRanges.put(subject, use);
            }
        });
        final Map<String, Mark> writeKeys = new TreeMap<>();
        keyUses.forEach((subject, use) -> {
            final Mark key = seen.get(subject);
            if (key == null || key.lastAt().isBefore(use.lastAt().minus(MARK_RESOLUTION))) {
                writeKeys.put(subject, use);
            }
        });
        putMarks(handle, h2, MARK_KEY_SEEN, writeKeys, true);
        putMarks(handle, h2, MARK_KEY_RANGE, writeRanges, true);
        return alerts;
    }

    // --- refresh-token reuse ---

    private static List<Alert> refreshReuses(List<AuditEvent> events) {
        final Duration minute = Duration.ofMinutes(1);
        final List<Alert> alerts = new ArrayList<>();
        for (AuditEvent e : events) {
            if (AuditEventTypes.TOKEN_REFRESH_REUSED.equals(e.type())) {
                final String subject = e.userId() != null ? "user:" + e.userId()
                        : e.clientAddress() != null ? "address:" + e.clientAddress() : "unknown";
                alerts.add(new Alert(REFRESH_REUSED, subject, Alert.windowOf(e.occurredAt(), minute), minute, 1, null, e));
            }
        }
        return alerts;
    }

    // --- marks ---

    private static Map<String, Mark> marks(Handle handle, String rule, Collection<String> subjects) {
        final Map<String, Mark> marks = new HashMap<>();
        for (List<String> chunk : Lists.partition(new ArrayList<>(subjects), IN_LIST)) {
            handle.createQuery("SELECT subject, first_at, last_at, detail FROM audit_alert_marks WHERE rule = :rule AND subject IN (<subjects>)")
                    .bind("rule", rule).bindList("subjects", chunk)
                    .map((rs, ctx) -> Map.entry(rs.getString(1), new Mark(rs.getObject(2, OffsetDateTime.class).toInstant(),
                            rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getString(4))))
                    .forEach(e -> marks.put(e.getKey(), e.getValue()));
        }
        return marks;
    }

    /**
     * Writes marks, in subject order; an existing one keeps its first time and detail, and takes the later
     * last time when {@code update}, else is left as it is.
     */
    private static void putMarks(Handle handle, boolean h2, String rule, Map<String, Mark> marks, boolean update) {
        if (marks.isEmpty()) {
            return;
        }
        final String sql;
        if (h2) {
            sql = "MERGE INTO audit_alert_marks t USING (VALUES (CAST(:rule AS VARCHAR(64)), CAST(:subject AS VARCHAR(255)),"
                    + " CAST(:firstAt AS TIMESTAMP WITH TIME ZONE), CAST(:lastAt AS TIMESTAMP WITH TIME ZONE),"
                    + " CAST(:detail AS VARCHAR(255)))) AS s (rule, subject, first_at, last_at, detail)"
                    + " ON t.rule = s.rule AND t.subject = s.subject"
                    + (update ? " WHEN MATCHED THEN UPDATE SET last_at = GREATEST(t.last_at, s.last_at)" : "")
                    + " WHEN NOT MATCHED THEN INSERT (rule, subject, first_at, last_at, detail)"
                    + " VALUES (s.rule, s.subject, s.first_at, s.last_at, s.detail)";
        } else {
            sql = "INSERT INTO audit_alert_marks (rule, subject, first_at, last_at, detail) VALUES (:rule, :subject, :firstAt, :lastAt, :detail)"
                    + (update ? " ON CONFLICT (rule, subject) DO UPDATE SET last_at = GREATEST(audit_alert_marks.last_at, EXCLUDED.last_at)"
                    : " ON CONFLICT DO NOTHING");
        }
        final var batch = handle.prepareBatch(sql).registerArgument(new UtcInstantArgumentFactory());
        marks.forEach((subject, m) -> batch.bind("rule", rule).bind("subject", cut(subject)).bind("firstAt", m.firstAt())
                .bind("lastAt", m.lastAt()).bind("detail", cut(m.detail())).add());
        batch.execute();
    }

    private static String cut(String value) {
        return value == null || value.length() <= 255 ? value : value.substring(0, 255);
    }
}
