package io.authservice.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Small JSON request bodies read strictly: an object with known fields only, each string field a
 * JSON string (no coercion from numbers or booleans). Messages name the field at fault but never
 * repeat the body: it may hold a password or a token.
 */
public final class JsonBodies {
    private final ObjectNode body;

    private JsonBodies(ObjectNode body) {
        this.body = body;
    }

    /**
     * Reads {@code text} as a JSON object whose fields are all among {@code known}.
     *
     * @throws InvalidInputException for anything else
     */
    public static JsonBodies object(ObjectMapper json, String text, Set<String> known) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("the request body must be a JSON object (Content-Type: application/json)");
        }
        final JsonNode node;
        try {
            node = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("the request body is not valid JSON");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidInputException("the request body must be a JSON object");
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            final String name = names.next();
            if (!known.contains(name)) {
                throw new InvalidInputException("unknown field '" + Text.printable(name) + "'; known fields: "
                        + String.join(", ", new TreeSet<>(known)));
            }
        }
        return new JsonBodies(object);
    }

    /** A string field; empty when absent or null; a 400 when it is not a string. */
    public Optional<String> text(String field) {
        final JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new InvalidInputException("'" + field + "' must be a string");
        }
        return Optional.of(value.asText());
    }

    /** A required string field. */
    public String requiredText(String field) {
        return text(field).orElseThrow(() -> new InvalidInputException("'" + field + "' is required"));
    }
}
