package io.authservice.core;

import java.util.List;

/**
 * What an import of users or employees did.
 *
 * @param imported records newly stored, in file order
 * @param skipped  rows already present (an import can be run again safely)
 */
public record Imported<T>(List<T> imported, int skipped) {
    public Imported {
        imported = List.copyOf(imported);
    }
}
