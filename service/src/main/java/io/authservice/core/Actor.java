package io.authservice.core;

/**
 * Who made a lifecycle change and through which surface, for the audit trail.
 *
 * @param who     an operator identity: the OS user for commands, "admin@address" for tasks
 * @param surface {@code task} or {@code command}
 */
public record Actor(String who, String surface) {
    public static final String TASK = "task";
    public static final String COMMAND = "command";

    public static Actor command() {
        return new Actor(System.getProperty("user.name", "unknown"), COMMAND);
    }

    public static Actor task(String remoteAddress) {
        return new Actor("admin@" + remoteAddress, TASK);
    }
}
