package io.authservice.core;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads CSV exports of the original Django service's tables (a header row naming the columns),
 * in the forms Django, the admin and {@code psql \copy} write: booleans as {@code True}/{@code False},
 * {@code t}/{@code f} or {@code 1}/{@code 0}; timestamps as ISO 8601 or
 * {@code YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM]]} (no offset means UTC, as Django stores them).
 */
public final class DjangoCsv {
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.TRIM_SPACES).build();

    private static final DateTimeFormatter DJANGO = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd")
            .optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendLiteral('T').optionalEnd()
            .appendPattern("HH:mm")
            .optionalStart().appendPattern(":ss").optionalEnd()
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .toFormatter(Locale.ROOT);

    private DjangoCsv() {
    }

    /** One data row: its line in the file (the header is line 1) and its values by column name. */
    public record Row(int line, Map<String, String> values) {
        /** A column's value, trimmed; empty if absent. */
        public String get(String column) {
            final String value = values.get(column);
            return value == null ? "" : value.trim();
        }
    }

    /**
     * Reads every row.
     *
     * @param required columns the header must name
     */
    public static List<Row> read(Reader reader, Collection<String> required) {
        final List<Row> rows = new ArrayList<>();
        try (MappingIterator<Map<String, String>> it = CSV.readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader())
                .readValues(reader)) {
            int line = 1;
            while (it.hasNextValue()) {
                line++;
                final Map<String, String> values = it.nextValue();
                if (line == 2) {
                    for (String column : required) {
                        if (!values.containsKey(column)) {
                            throw new InvalidInputException("the CSV header must name the column '" + column
                                    + "' (found " + values.keySet() + ")");
                        }
                    }
                }
                rows.add(new Row(line, values));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidInputException invalid) {
                throw invalid;
            }
            throw new InvalidInputException("cannot read the CSV: " + Text.printable(String.valueOf(e.getMessage())));
        }
        return rows;
    }

    /** A Django boolean; empty means {@code fallback}. */
    public static boolean parseBoolean(String raw, boolean fallback, String where) {
        final String value = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "" -> fallback;
            case "true", "t", "1", "yes", "y" -> true;
            case "false", "f", "0", "no", "n" -> false;
            default -> throw new InvalidInputException(where + "not a boolean: '" + Text.printable(raw)
                    + "' (use True/False, t/f or 1/0)");
        };
    }

    /** A Django or ISO 8601 timestamp; empty means null. */
    public static Instant parseTimestamp(String raw, String where) {
        final String value = raw == null ? "" : raw.trim();
        if (value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notIso) {
            try {
                final var parsed = DJANGO.parseBest(value, OffsetDateTime::from, LocalDateTime::from);
                return parsed instanceof OffsetDateTime odt ? odt.toInstant()
                        : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new InvalidInputException(where + "not a timestamp: '" + Text.printable(value)
                        + "' (use ISO 8601 or YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM])");
            }
        }
    }
}
