package io.authservice.resources;

import io.authservice.api.AuditSummary;
import io.authservice.auditquery.AuditExport;
import io.authservice.auditquery.AuditFormat;
import io.authservice.auditquery.AuditQuery;
import io.authservice.auditquery.AuditSearch;
import io.authservice.auditquery.TimeRange;
import io.authservice.core.Caller;
import io.authservice.core.InvalidInputException;
import io.authservice.core.OperatorDurations;
import io.authservice.core.Roles;
import io.authservice.core.Scopes;
import io.authservice.core.Text;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The security team's view of the audit trail: searches (JSON pages, or CSV and NDJSON exports) and
 * summaries. Open to people with the {@code security} or {@code admin} role and to keys holding
 * {@code audit:read}; everyone else gets 403.
 *
 * <p>{@code audit:read} comes first in {@code @RolesAllowed}: each name a caller does not hold is
 * noted on a key's attempt as a scope refusal, so a key holding it must match on the first check.
 */
@Path("/api/v1/audit")
public final class AuditResource {
    /** The header that carries the next page's cursor for CSV and NDJSON pages (JSON has it in the body). */
    public static final String NEXT_CURSOR_HEADER = "X-Next-Cursor";
    public static final int DEFAULT_UNUSED_DAYS = 30;
    private static final Set<String> EVENT_PARAMETERS = Stream.concat(AuditQuery.PARAMETERS.stream(), Stream.of("format", "include"))
            .collect(Collectors.toUnmodifiableSet());
    private static final Set<String> SUMMARY_PARAMETERS = Set.of("from", "to", "unused_days");

    private final AuditSearch search;
    private final AuditExport export;
    private final Clock clock;

    public AuditResource(AuditSearch search, AuditExport export, Clock clock) {
        this.search = search;
        this.export = export;
        this.clock = clock;
    }

    @GET
    @Path("events/")
    @RolesAllowed({Scopes.AUDIT_READ, Roles.SECURITY, Roles.ADMIN})
    @Produces({MediaType.APPLICATION_JSON, "text/csv", "application/x-ndjson"})
    public Response events(@Auth Caller caller, @Context UriInfo uri, @Context HttpHeaders headers) {
        final MultivaluedMap<String, String> params = uri.getQueryParameters();
        QueryParameters.requireKnown(params, EVENT_PARAMETERS);
        final AuditFormat format = AuditFormat.choose(params.getFirst("format"),
                headers.getAcceptableMediaTypes().stream().map(type -> type.getType() + "/" + type.getSubtype()).toList());
        final AuditQuery query = AuditQuery.parse(params::getFirst, format.exports());
        if (withSeals(params.getFirst("include"), format)) {
            AuditExport.requireWholeRange(query);
            return Response.ok((StreamingOutput) out -> export.writeWithSeals(query, out), format.mediaType()).build();
        }
        if (query.limit() == null) {
            return Response.ok((StreamingOutput) out -> export.writeAll(query, format, out), format.mediaType()).build();
        }
        final AuditSearch.Page page = search.page(query);
        return Response.ok((StreamingOutput) out -> export.writePage(page, format, out), format.mediaType())
                .header(NEXT_CURSOR_HEADER, page.next() == null ? null : page.next().encode())
                .build();
    }

    /** {@code include=seals}: the NDJSON export carries the seals of its range ({@link AuditExport#writeWithSeals}). */
    private static boolean withSeals(String include, AuditFormat format) {
        if (include == null || include.isEmpty()) {
            return false;
        }
        if (!include.equals("seals")) {
            throw new InvalidInputException("'include': '" + Text.printable(include) + "' is not 'seals'");
        }
        if (format != AuditFormat.ndjson) {
            throw new InvalidInputException("'include=seals' is for the NDJSON export (format=ndjson)");
        }
        return true;
    }

    /** Defaults: the last 24 hours, keys unused for {@value #DEFAULT_UNUSED_DAYS} days. */
    @GET
    @Path("summary/")
    @RolesAllowed({Scopes.AUDIT_READ, Roles.SECURITY, Roles.ADMIN})
    @Produces(MediaType.APPLICATION_JSON)
    public AuditSummary summary(@Auth Caller caller, @Context UriInfo uri) {
        final MultivaluedMap<String, String> params = uri.getQueryParameters();
        QueryParameters.requireKnown(params, SUMMARY_PARAMETERS);
        final TimeRange range = TimeRange.parse(params::getFirst).closed(clock.instant(), Duration.ofDays(1));
        return search.summary(range.from(), range.to(), unusedDays(params.getFirst("unused_days")));
    }

    static int unusedDays(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_UNUSED_DAYS;
        }
        return OperatorDurations.wholeDays(value, "unused_days", 3650);
    }
}
