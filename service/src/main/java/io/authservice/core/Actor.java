package io.authservice.core;

/**
 * Who made a lifecycle change and through which surface, for the audit trail.
 *
 * @param who     an operator identity: the OS user for commands, "admin@address" for tasks
 * @param surface {@code task}, {@code command} or {@code api}
 */
public record Actor(String who, String surface) {
    public static final String TASK = "task";
    public static final String COMMAND = "command";
    public static final String API = "api";

    public static Actor command() {
        return new Actor(System.getProperty("user.name", "unknown"), COMMAND);
    }

    public static Actor task(String remoteAddress) {
        return new Actor("admin@" + remoteAddress, TASK);
    }

    /** A caller of the JSON API: a person by username, a service by {@code key:<name>#<id>}. */
    public static Actor api(Caller caller) {
        if (caller instanceof ServiceCaller service) {
            return new Actor("key:" + service.key().name() + "#" + service.key().id(), API);
        }
        return new Actor(caller.getName(), API);
    }
}
