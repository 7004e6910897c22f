package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.core.Caller;
import io.authservice.core.ServiceCaller;

import java.util.List;

/** Who the caller is, as {@code GET /api/v1/whoami/} answers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WhoAmI(
        @JsonProperty("type") String type,
        @JsonProperty("name") String name,
        @JsonProperty("key_id") Long keyId,
        @JsonProperty("key_prefix") String keyPrefix,
        @JsonProperty("scopes") List<String> scopes) {

    public static WhoAmI of(Caller caller) {
        if (caller instanceof ServiceCaller service) {
            return new WhoAmI("service", service.key().name(), service.key().id(),
                    service.key().prefix(), service.key().scopes().stream().sorted().toList());
        }
        throw new IllegalArgumentException("unknown kind of caller: " + caller.getClass().getName());
    }
}
