package io.authservice.resources;

import io.authservice.api.AuditBreakdown;
import io.authservice.api.AuditSeries;
import io.authservice.auditquery.AuditBreakdowns;
import io.authservice.auditquery.AuditQuery;
import io.authservice.auditquery.TimeRange;
import io.authservice.auditquery.AuditTimeseries;
import io.authservice.core.Caller;
import io.authservice.core.Roles;
import io.authservice.core.Scopes;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The audit trail over time and broken down, for charts and SIEMs: {@code GET /api/v1/audit/timeseries/}
 * and {@code GET /api/v1/audit/breakdown/}. Open as the
 * events API is: people with the {@code security} or {@code admin} role, keys holding {@code audit:read}.
 */
@Path("/api/v1/audit")
public final class AuditStatsResource {
    /** Without {@code bucket}. */
    public static final AuditTimeseries.Bucket DEFAULT_BUCKET = AuditTimeseries.Bucket.ONE_HOUR;
    /** Without {@code from}: this long before {@code to}. */
    public static final Duration DEFAULT_RANGE = Duration.ofDays(1);
    private static final Set<String> PARAMETERS = Stream.concat(AuditQuery.FILTERS.stream(),
            Stream.of("from", "to", "bucket", "group_by")).collect(Collectors.toUnmodifiableSet());
    private static final Set<String> BREAKDOWN_PARAMETERS = Stream.concat(AuditQuery.FILTERS.stream(),
            Stream.of("from", "to", "by", "limit")).collect(Collectors.toUnmodifiableSet());

    private final AuditTimeseries timeseries;
    private final AuditBreakdowns breakdowns;
    private final Clock clock;

    public AuditStatsResource(AuditTimeseries timeseries, AuditBreakdowns breakdowns, Clock clock) {
        this.timeseries = timeseries;
        this.breakdowns = breakdowns;
        this.clock = clock;
    }

    /** Defaults: the last 24 hours in buckets of an hour, one series. */
    @GET
    @Path("timeseries/")
    @RolesAllowed({Scopes.AUDIT_READ, Roles.SECURITY, Roles.ADMIN})
    @Produces(MediaType.APPLICATION_JSON)
    public AuditSeries timeseries(@Auth Caller caller, @Context UriInfo uri) {
        final MultivaluedMap<String, String> params = uri.getQueryParameters();
        QueryParameters.requireKnown(params, PARAMETERS);
        // the filters and the range are read as the events API reads them
        final AuditQuery query = AuditQuery.parse(params::getFirst, true);
        final TimeRange range = range(query);
        final String bucket = params.getFirst("bucket");
        final String groupBy = params.getFirst("group_by");
        return timeseries.series(range.from(), range.to(),
                bucket == null || bucket.isEmpty() ? DEFAULT_BUCKET : AuditTimeseries.Bucket.parse(bucket),
                groupBy == null || groupBy.isEmpty() ? null : AuditTimeseries.GroupBy.parse(groupBy),
                query.filters());
    }

    /**
     * The matching events counted per value of {@code by} (e.g. the addresses a key was used from),
     * most first. Defaults: the last 24 hours, {@value AuditBreakdowns#DEFAULT_LIMIT} values.
     */
    @GET
    @Path("breakdown/")
    @RolesAllowed({Scopes.AUDIT_READ, Roles.SECURITY, Roles.ADMIN})
    @Produces(MediaType.APPLICATION_JSON)
    public AuditBreakdown breakdown(@Auth Caller caller, @Context UriInfo uri) {
        final MultivaluedMap<String, String> params = uri.getQueryParameters();
        QueryParameters.requireKnown(params, BREAKDOWN_PARAMETERS);
        final AuditBreakdowns.By by = AuditBreakdowns.By.parse(params.getFirst("by"));
        // the filters, the range and limit are read as the events API reads them
        final AuditQuery query = AuditQuery.parse(name -> name.equals("limit") ? null : params.getFirst(name), true);
        final TimeRange range = range(query);
        final String limit = params.getFirst("limit");
        return breakdowns.breakdown(range.from(), range.to(), by, query.filters(),
                limit == null || limit.isEmpty() ? AuditBreakdowns.DEFAULT_LIMIT : AuditQuery.wholeNumber("limit", limit, Integer::valueOf));
    }

    /** The query's range, closed: no {@code to} is now, no {@code from} is {@link #DEFAULT_RANGE} before it. */
    private TimeRange range(AuditQuery query) {
        return new TimeRange(query.from(), query.to()).closed(clock.instant(), DEFAULT_RANGE);
    }
}
