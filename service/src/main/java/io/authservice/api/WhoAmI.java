package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.core.Caller;
import io.authservice.core.ServiceCaller;
import io.authservice.core.UserCaller;

import java.util.List;

/**
 * Who the caller is, as {@code GET /api/v1/whoami/} answers: a service
 * ({@code {"type":"service","name","key_id","key_prefix","scopes"}}) or a person
 * ({@code {"type":"user","id","username","roles"}}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WhoAmI(
        @JsonProperty("type") String type,
        @JsonProperty("name") String name,
        @JsonProperty("key_id") Long keyId,
        @JsonProperty("key_prefix") String keyPrefix,
        @JsonProperty("scopes") List<String> scopes,
        @JsonProperty("id") Long id,
        @JsonProperty("username") String username,
        @JsonProperty("roles") List<String> roles) {

    public static WhoAmI of(Caller caller) {
        if (caller instanceof ServiceCaller service) {
            return new WhoAmI("service", service.key().name(), service.key().id(), service.key().prefix(),
                    service.key().scopes().stream().sorted().toList(), null, null, null);
        }
        final UserCaller user = (UserCaller) caller; // Caller is sealed: a service or a person
        return new WhoAmI("user", null, null, null, null, user.id(), user.username(), user.roles());
    }
}
