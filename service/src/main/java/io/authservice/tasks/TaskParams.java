package io.authservice.tasks;

import io.authservice.core.InvalidInputException;
import io.authservice.core.Text;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A task's query or form parameters, each given at most once. */
public final class TaskParams {
    private final Map<String, List<String>> raw;

    public TaskParams(Map<String, List<String>> raw, Set<String> allowed) {
        for (Map.Entry<String, List<String>> entry : raw.entrySet()) {
            if (!allowed.contains(entry.getKey())) {
                throw new InvalidInputException("unknown parameter '" + Text.printable(entry.getKey())
                        + "'; this task takes " + allowed.stream().sorted().toList());
            }
            if (entry.getValue().size() > 1) {
                throw new InvalidInputException("parameter '" + entry.getKey() + "' given more than once");
            }
        }
        this.raw = raw;
    }

    public Optional<String> get(String name) {
        final List<String> values = raw.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Whether the caller asked for {@code format=json}; {@code format=text} or none is the human form. */
    public boolean wantsJson() {
        final String format = get("format").orElse("text").trim();
        return switch (format) {
            case "json" -> true;
            case "text" -> false;
            default -> throw new InvalidInputException("'format' must be 'json' or 'text'");
        };
    }
}
