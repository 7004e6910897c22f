package io.authservice.tasks;

import java.io.IOException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The servlet request and response of the admin task running on this thread.
 *
 * <p>Dropwizard's {@code TaskServlet} hands a task only its parameters and a writer, and answers
 * any exception with a 500 and a stack trace. Our tasks never throw: they answer bad input with a
 * 4xx and a JSON error, for which they need the response. {@link AdminTokenFilter} sets this
 * context around every task request it lets through.
 */
public final class TaskContext {
    private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

    private final HttpServletRequest request;
    private final HttpServletResponse response;

    private TaskContext(HttpServletRequest request, HttpServletResponse response) {
        this.request = request;
        this.response = response;
    }

    /** Runs {@code work} with this context set for the current thread. */
    static void run(HttpServletRequest request, HttpServletResponse response, Work work)
            throws IOException, ServletException {
        CURRENT.set(new TaskContext(request, response));
        try {
            work.run();
        } finally {
            CURRENT.remove();
        }
    }

    /** The context of the task request on this thread; only inside {@link AdminTokenFilter}. */
    static TaskContext current() {
        final TaskContext context = CURRENT.get();
        if (context == null) {
            throw new IllegalStateException("an admin task ran outside AdminTokenFilter");
        }
        return context;
    }

    String remoteAddress() {
        return request.getRemoteAddr();
    }

    void status(int status) {
        response.setStatus(status);
    }

    void contentType(String type) {
        response.setContentType(type);
    }

    /** The rest of the filter chain. */
    @FunctionalInterface
    interface Work {
        void run() throws IOException, ServletException;
    }
}
