package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.DataSizeUnit;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotNull;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The audit journal ({@code audit.journal}): where every event is written before its request is
 * answered, how large it may grow while the destination is away, how often it is forced to disk,
 * and how old its backlog may get before the health check fails.
 */
public class AuditJournalConfig {
    /** The journal's directory; one per instance (it is locked while the service runs). */
    @NotNull
    @JsonProperty
    private Path directory = Path.of("./data/audit-journal");

    /** Size of one segment file; the journal rolls to a new one past it. */
    @NotNull
    @MinDataSize(value = 1, unit = DataSizeUnit.KIBIBYTES)
    @JsonProperty
    private DataSize segmentSize = DataSize.mebibytes(64);

    /** Past this, an event cannot be journaled: dropped and counted ({@code serve}) or refused with 503 ({@code reject}). */
    @NotNull
    @JsonProperty
    private DataSize maxSize = DataSize.gibibytes(1);

    /** How often what was appended is forced to disk (what a power loss can take); 0 forces every append. */
    @NotNull
    @JsonProperty
    private Duration syncInterval = Duration.seconds(1);

    /** The health check fails while the oldest event not yet shipped is older than this. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration backlogHealthThreshold = Duration.seconds(30);

    public Path getDirectory() {
        return directory;
    }

    public DataSize getSegmentSize() {
        return segmentSize;
    }

    public DataSize getMaxSize() {
        return maxSize;
    }

    public Duration getSyncInterval() {
        return syncInterval;
    }

    public Duration getBacklogHealthThreshold() {
        return backlogHealthThreshold;
    }
}
