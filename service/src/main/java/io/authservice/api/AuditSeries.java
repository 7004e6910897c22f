package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;

/**
 * The answer of {@code GET /api/v1/audit/timeseries/}: the start of every bucket from {@code from}
 * to {@code to} (the asked range widened to whole buckets), and one series of counts per group, each
 * count for the bucket at the same position.
 *
 * @param groupBy what the series are split by, or null for one series ("all")
 * @param source  {@code minute_counts} or {@code events}: what the counts were read from
 */
public record AuditSeries(@JsonProperty("from") Instant from, @JsonProperty("to") Instant to,
                          @JsonProperty("bucket") String bucket,
                          @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("group_by") String groupBy,
                          @JsonProperty("source") String source,
                          @JsonProperty("buckets") List<Instant> buckets,
                          @JsonProperty("series") List<Group> series,
                          @JsonProperty("total") long total) {
    public AuditSeries {
        buckets = List.copyOf(buckets);
        series = List.copyOf(series);
    }

    /** One series: its group's value (null for events with none, e.g. no reason; "all" without group_by). */
    public record Group(@JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("group") String group,
                        @JsonProperty("counts") List<Long> counts, @JsonProperty("total") long total) {
        public Group {
            counts = List.copyOf(counts);
        }
    }
}
