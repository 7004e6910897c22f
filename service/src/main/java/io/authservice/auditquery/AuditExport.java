package io.authservice.auditquery;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.seal.ExportedTrail;
import io.authservice.audit.seal.Seal;
import io.authservice.audit.seal.SealPurge;
import io.authservice.core.InvalidInputException;
import org.jdbi.v3.core.Jdbi;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;

/**
 * Writes the answer of a search in one of the {@link AuditFormat}s, for the HTTP API and the
 * {@code audit} command alike. Events appear in their versioned wire form
 * ({@link AuditWireFormat}) in JSON and NDJSON.
 */
public final class AuditExport {
    private final AuditSearch search;
    private final ObjectMapper json;
    private final Jdbi jdbi;

    public AuditExport(AuditSearch search, ObjectMapper json) {
        this(search, json, null);
    }

    /** @param jdbi the store the seals are read from, for {@link #writeWithSeals}; null: no seals */
    public AuditExport(AuditSearch search, ObjectMapper json, Jdbi jdbi) {
        this.search = search;
        this.json = json;
        this.jdbi = jdbi;
    }

    /**
     * The NDJSON export that carries its proof ({@link ExportedTrail}): every event of the range, and
     * every event of each sealed batch that overlaps it (a range cuts batches at its edges; the export
     * keeps them whole), then the seal rows and purge records of the chains the range touches and a
     * last line naming the range. Only a whole range can be proven, so it takes no filters and no
     * limit.
     *
     * @throws InvalidInputException when the query has filters, a limit or a cursor
     */
    public void writeWithSeals(AuditQuery query, OutputStream stream) throws IOException {
        requireWholeRange(query);
        if (jdbi == null) {
            throw new IllegalStateException("this export has no store to read seals from");
        }
        final ExportedTrail.Proof proof = ExportedTrail.proof(jdbi, query.from(), query.to());
        final Set<UUID> members = proof.members();
        final AuditQuery widened = new AuditQuery(query.filters(), proof.eventsFrom(query.from()), proof.eventsTo(query.to()),
                null, null);
        final Writer out = writer(stream);
        try {
            search.stream(widened, event -> {
                final boolean inRange = (query.from() == null || !event.occurredAt().isBefore(query.from()))
                        && (query.to() == null || event.occurredAt().isBefore(query.to()));
                if (inRange || members.contains(event.id())) {
                    try {
                        line(out, AuditFormat.ndjson, event);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (Seal seal : proof.seals()) {
            out.write(ExportedTrail.line(seal));
            out.write('\n');
        }
        for (SealPurge purge : proof.purges()) {
            out.write(ExportedTrail.line(purge));
            out.write('\n');
        }
        out.write(ExportedTrail.rangeLine(query.from(), query.to()));
        out.write('\n');
        out.flush();
    }

    /** @throws InvalidInputException unless the query is a whole range, as {@link #writeWithSeals} needs */
    public static void requireWholeRange(AuditQuery query) {
        if (!query.filters().isEmpty() || query.limit() != null || query.cursor() != null) {
            throw new InvalidInputException("an export with its seals is of a whole range: only 'from' and 'to',"
                    + " no filters, 'limit' or 'cursor'");
        }
    }

    /** Runs the search and writes its answer; returns the next page's cursor, or null. */
    public AuditCursor write(AuditQuery query, AuditFormat format, OutputStream stream) throws IOException {
        if (query.limit() == null) {
            writeAll(query, format, stream);
            return null;
        }
        final AuditSearch.Page page = search.page(query);
        writePage(page, format, stream);
        return page.next();
    }

    /** One page: JSON ({@code {"events":[..],"next_cursor":..}}), or CSV or NDJSON lines. */
    public void writePage(AuditSearch.Page page, AuditFormat format, OutputStream stream) throws IOException {
        final Writer out = writer(stream);
        if (format == AuditFormat.json) {
            final JsonGenerator generator = json.getFactory().createGenerator(out)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            generator.writeStartObject();
            generator.writeArrayFieldStart("events");
            for (AuditEvent event : page.events()) {
                generator.writeTree(AuditWireFormat.toJson(event));
            }
            generator.writeEndArray();
            generator.writeStringField("next_cursor", page.next() == null ? null : page.next().encode());
            generator.writeEndObject();
            generator.close();
            out.write('\n');
        } else {
            if (format == AuditFormat.csv) {
                AuditCsv.header(out);
            }
            for (AuditEvent event : page.events()) {
                line(out, format, event);
            }
        }
        out.flush();
    }

    /** Every matching event as CSV or NDJSON, streamed from the database as rows arrive. */
    public void writeAll(AuditQuery query, AuditFormat format, OutputStream stream) throws IOException {
        if (format == AuditFormat.json) {
            throw new IllegalArgumentException("a JSON answer is one page");
        }
        final Writer out = writer(stream);
        if (format == AuditFormat.csv) {
            AuditCsv.header(out);
        }
        try {
            search.stream(query, event -> {
                try {
                    line(out, format, event);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        out.flush();
    }

    private static Writer writer(OutputStream stream) {
        return new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 * 1024);
    }

    private static void line(Writer out, AuditFormat format, AuditEvent event) throws IOException {
        if (format == AuditFormat.csv) {
            AuditCsv.row(out, event);
        } else {
            out.write(AuditWireFormat.encodeToString(event));
            out.write('\n');
        }
    }
}
