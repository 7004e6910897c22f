package io.authservice.core;

import java.security.Principal;

/**
 * Whoever made an authenticated request: a service holding an API key, or a person holding an
 * access token. Every link of the authentication chain produces this one type.
 */
public sealed interface Caller extends Principal permits ServiceCaller, UserCaller {

    /** Whether this caller holds a scope (services) or role (people). */
    boolean holds(String scopeOrRole);
}
