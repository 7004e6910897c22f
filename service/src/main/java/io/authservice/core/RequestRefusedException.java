package io.authservice.core;

/**
 * A lifecycle request that cannot be carried out as asked. Carries the HTTP status an admin task
 * answers with; commands print the message and exit non-zero.
 */
public class RequestRefusedException extends RuntimeException {
    private final int status;

    public RequestRefusedException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static RequestRefusedException notFound(String message) {
        return new RequestRefusedException(404, message);
    }

    public static RequestRefusedException conflict(String message) {
        return new RequestRefusedException(409, message);
    }
}
