package io.authservice.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an operator action answers, in both of its forms: a human line (the default) and exactly
 * one JSON object ({@code --json} on commands, {@code format=json} on tasks).
 *
 * @param text a human-readable summary, possibly several lines
 * @param json the object to serialize as the single JSON answer
 */
public record Report(String text, Object json) {

    /** The JSON form of an action's answer: {@code {"action": .., <key>: <value>, ..}} in the given order. */
    public static Map<String, Object> actionJson(String action, Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("action", action);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            json.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return json;
    }
}
