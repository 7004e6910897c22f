package io.authservice.tasks;

import java.io.IOException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The servlet request and response of the admin task running on this thread: a static
 * {@link ThreadLocal}, set by {@link AdminTokenFilter} around every task request it lets through
 * and read by {@link ReportingTask}.
 *
 * <p>It must be a thread-bound channel: Dropwizard 5's {@code TaskServlet} calls
 * {@code Task.execute(parameters, writer)} / {@code PostBodyTask.execute(parameters, body, writer)}
 * and nothing else (no request, no response; the content type is fixed per task), and answers any
 * exception with a 500 and a stack trace. Our tasks never throw: they answer bad input with a 4xx
 * and a JSON error, and name the caller's address in audit events, for which they need the
 * exchange. The servlet runs a task on the request's thread inside the filter chain, so the filter
 * sets it and removes it when the chain returns.
 */
public final class CurrentTaskExchange {
    private static final ThreadLocal<CurrentTaskExchange> CURRENT = new ThreadLocal<>();

    private final HttpServletRequest request;
    private final HttpServletResponse response;

    private CurrentTaskExchange(HttpServletRequest request, HttpServletResponse response) {
        this.request = request;
        this.response = response;
    }

    /** Runs {@code work} with this context set for the current thread. */
    static void run(HttpServletRequest request, HttpServletResponse response, Work work)
            throws IOException, ServletException {
        CURRENT.set(new CurrentTaskExchange(request, response));
        try {
            work.run();
        } finally {
            CURRENT.remove();
        }
    }

    /** The context of the task request on this thread; only inside {@link AdminTokenFilter}. */
    static CurrentTaskExchange current() {
        final CurrentTaskExchange context = CURRENT.get();
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
