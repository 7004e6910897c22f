package io.authservice.core;

/**
 * What an operator action answers, in both of its forms: a human line (the default) and exactly
 * one JSON object ({@code --json} on commands, {@code format=json} on tasks).
 *
 * @param text a human-readable summary, possibly several lines
 * @param json the object to serialize as the single JSON answer
 */
public record Report(String text, Object json) {
}
