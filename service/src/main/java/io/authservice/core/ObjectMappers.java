package io.authservice.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * The one JSON configuration of the service's API, tasks and commands, and the leniency the
 * configuration file and its {@code -Ddw.} overrides keep.
 */
public final class ObjectMappers {
    private ObjectMappers() {
    }

    /**
     * Times as ISO 8601 strings; numbers must be numbers: {@code 1.5} or {@code "7"} where a whole
     * number is expected is a client error, not silently coerced.
     */
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        return mapper;
    }

    /**
     * Undoes {@link #configure}'s strictness on {@code copy} (a copy: the API's mapper stays strict),
     * for reading configuration: a {@code -Ddw.} override is always a string, so
     * {@code -Ddw.server.applicationConnectors[0].port=9000} must become an int and {@code =false} a
     * boolean, as Dropwizard reads them by default.
     */
    public static ObjectMapper forConfiguration(ObjectMapper copy) {
        copy.enable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        copy.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
        copy.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.TryConvert);
        copy.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
        return copy;
    }
}
