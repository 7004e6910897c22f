package io.authservice.core;

import java.util.List;

/**
 * What an import did.
 *
 * @param imported keys newly stored
 * @param skipped  keys already present (an import can be run again safely)
 */
public record ImportResult(List<ApiKey> imported, int skipped) {
}
