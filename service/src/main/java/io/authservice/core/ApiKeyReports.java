package io.authservice.core;

import io.authservice.api.ApiKeyView;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Turns lifecycle outcomes into {@link Report}s, so tasks and commands print the same thing. */
public final class ApiKeyReports {
    private final Clock clock;

    public ApiKeyReports(Clock clock) {
        this.clock = clock;
    }

    public Report created(CreatedApiKey created) {
        final ApiKey key = created.stored();
        final String text = "Created API key " + describe(key) + " with scopes " + String.join(",", sorted(key))
                + ", expires " + (key.expiresAt() == null ? "never" : key.expiresAt()) + policy(key) + ".\n"
                + "Key (shown only now, store it securely): " + created.key();
        return new Report(text, Report.actionJson("created", "key", created.key(), "api_key", view(key)));
    }

    public Report list(List<ApiKey> keys) {
        final Instant now = clock.instant();
        final StringBuilder text = new StringBuilder();
        text.append(String.format("%-6s %-30s %-10s %-9s %-45s %-24s %-27s %-12s %s%n",
                "ID", "NAME", "PREFIX", "STATUS", "SCOPES", "EXPIRES", "LAST USED", "RATE LIMIT", "ALLOWED FROM"));
        for (ApiKey key : keys) {
            text.append(String.format("%-6d %-30s %-10s %-9s %-45s %-24s %-27s %-12s %s%n",
                    key.id(), Text.printable(key.name()), key.prefix(), key.statusAt(now).wireName(),
                    String.join(",", sorted(key)), key.expiresAt() == null ? "never" : key.expiresAt(),
                    key.lastUsedAt() == null ? "never" : key.lastUsedAt(), rateLimit(key),
                    key.policy().allowedAddresses()));
        }
        text.append(keys.size()).append(keys.size() == 1 ? " key" : " keys");
        return new Report(text.toString(), Map.of("api_keys", keys.stream().map(k -> ApiKeyView.of(k, now)).toList()));
    }

    public Report updated(ApiKey key) {
        return new Report("API key " + describe(key) + " now has scopes " + String.join(",", sorted(key)) + policy(key)
                + ".", Report.actionJson("updated", "api_key", view(key)));
    }

    public Report deactivated(ApiKey key) {
        return new Report("Deactivated API key " + describe(key) + ".", Report.actionJson("deactivated", "api_key", view(key)));
    }

    public Report deleted(ApiKey key) {
        return new Report("Deleted API key " + describe(key) + ".", Report.actionJson("deleted", "api_key", view(key)));
    }

    public Report rotated(RotatedApiKey rotated) {
        final ApiKey previous = rotated.previous();
        final ApiKey successor = rotated.successor().stored();
        final String text = "Rotated API key " + describe(previous) + ": it keeps working until " + previous.expiresAt()
                + ".\nNew API key " + describe(successor) + " with scopes " + String.join(",", sorted(successor)) + ".\n"
                + "Key (shown only now, store it securely): " + rotated.successor().key();
        return new Report(text, Report.actionJson("rotated", "key", rotated.successor().key(), "api_key", view(successor),
                "previous", view(previous)));
    }

    public Report imported(ImportResult result) {
        final String text = "Imported " + result.imported().size() + " API key(s); skipped " + result.skipped()
                + " already present.";
        return new Report(text, Report.actionJson("imported", "imported", result.imported().size(), "skipped", result.skipped(),
                "api_keys", result.imported().stream().map(this::view).toList()));
    }

    public Report cacheInvalidated(long entries) {
        return new Report("Invalidated the API key cache (" + entries + " entries).",
                Report.actionJson("cache_invalidated", "entries", entries));
    }

    private ApiKeyView view(ApiKey key) {
        return ApiKeyView.of(key, clock.instant());
    }

    /** ", usable from <ranges>, rate limit <N/period>", the parts a key has. */
    private static String policy(ApiKey key) {
        final StringBuilder text = new StringBuilder();
        if (!key.policy().allowedAddresses().anywhere()) {
            text.append(", usable from ").append(key.policy().allowedAddresses());
        }
        if (key.policy().rateLimit() != null) {
            text.append(", rate limit ").append(key.policy().rateLimit());
        }
        return text.toString();
    }

    private static String rateLimit(ApiKey key) {
        return key.policy().rateLimit() == null ? "none" : key.policy().rateLimit().format();
    }

    private static String describe(ApiKey key) {
        return key.id() + " '" + Text.printable(key.name()) + "' (" + key.prefix() + "…)";
    }

    private static List<String> sorted(ApiKey key) {
        return key.scopes().stream().sorted().toList();
    }
}
