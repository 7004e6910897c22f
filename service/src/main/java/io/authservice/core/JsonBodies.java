package io.authservice.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;

import java.util.stream.Collectors;

/**
 * JSON request bodies read into records, strictly: an object of known fields only, nothing after it,
 * and a string field a JSON string (no {@code 1} or {@code true} read as text). Messages name the
 * field at fault but never repeat the body: it may hold a password or a token.
 */
public final class JsonBodies {
    private final ObjectMapper strict;

    /** @param json the service's mapper; a copy is made stricter, {@code json} itself is left as it is */
    public JsonBodies(ObjectMapper json) {
        this.strict = json.copy()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        for (CoercionInputShape shape : new CoercionInputShape[] {
                CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
            strict.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
    }

    /**
     * Reads {@code body} as a {@code type}, a record whose components are the object's fields.
     *
     * @throws InvalidInputException for an empty body, bad JSON, a field not among the record's or of
     *                               the wrong type
     */
    public <T> T read(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw new InvalidInputException("the request body must be a JSON object (Content-Type: application/json)");
        }
        final ObjectReader reader = strict.readerFor(type);
        try {
            return reader.readValue(body);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException("unknown field '" + Text.printable(e.getPropertyName()) + "'; known fields: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
        } catch (MismatchedInputException e) {
            final String field = field(e);
            if (field.isEmpty()) {
                throw new InvalidInputException("the request body must be a JSON object");
            }
            throw new InvalidInputException("'" + field + "' " + (e.getTargetType() == String.class
                    ? "must be a string" : "has the wrong type"));
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("the request body is not valid JSON"
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")"));
        }
    }

    private static String field(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? Text.printable(ref.getFieldName()) : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }
}
