package io.authservice.core;

/**
 * A lifecycle request that cannot be carried out as asked. Carries the HTTP status an admin task
 * answers with; commands print the message and exit non-zero.
 */
public class LifecycleException extends RuntimeException {
    private final int status;

    public LifecycleException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static LifecycleException notFound(String message) {
        return new LifecycleException(404, message);
    }

    public static LifecycleException conflict(String message) {
        return new LifecycleException(409, message);
    }
}
