package io.authservice.auditquery;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Writes the answer of a search in one of the {@link AuditFormat}s, for the HTTP API and the
 * {@code audit} command alike. Events appear in their versioned wire form
 * ({@link AuditWireFormat}) in JSON and NDJSON.
 */
public final class AuditExport {
    private final AuditSearch search;
    private final ObjectMapper json;

    public AuditExport(AuditSearch search, ObjectMapper json) {
        this.search = search;
        this.json = json;
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
