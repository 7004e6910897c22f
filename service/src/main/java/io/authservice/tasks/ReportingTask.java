package io.authservice.tasks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.core.Actor;
import io.authservice.core.RequestRefusedException;
import io.authservice.core.Report;
import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.servlets.tasks.PostBodyTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * An admin task that answers with a {@link Report}: a human line, or with {@code format=json} one
 * JSON object. Errors are always JSON: bad input is answered with its 4xx status and {@code {"code":..,"message":..}};
 * nothing is thrown to Dropwizard's {@code TaskServlet}, which would answer 500 with a stack trace.
 */
public final class ReportingTask extends PostBodyTask {
    private static final Logger LOG = LoggerFactory.getLogger(ReportingTask.class);

    private final ObjectMapper json;
    private final Set<String> parameters;
    private final Handler handler;

    /**
     * @param parameters the parameters this task takes; {@code format} is always allowed
     */
    public ReportingTask(String name, ObjectMapper json, Set<String> parameters, Handler handler) {
        super(name);
        this.json = json;
        this.handler = handler;
        final Set<String> allowed = new HashSet<>(parameters);
        allowed.add("format");
        this.parameters = Set.copyOf(allowed);
    }

    /** Does a task's work; throws {@link RequestRefusedException} for anything the caller must fix. */
    @FunctionalInterface
    public interface Handler {
        Report run(TaskParams params, String body, Actor actor);
    }

    @Override
    public final void execute(Map<String, List<String>> raw, String body, PrintWriter output) {
        final CurrentTaskExchange context = CurrentTaskExchange.current();
        try {
            final TaskParams params = new TaskParams(raw, parameters);
            final boolean wantsJson = params.wantsJson();
            final Report report = handler.run(params, body, Actor.task(context.remoteAddress()));
            if (wantsJson) {
                context.contentType("application/json");
                output.println(json.writeValueAsString(report.json()));
            } else {
                output.println(report.text());
            }
        } catch (RequestRefusedException e) {
            answerError(context, output, e.status(), e.getMessage());
        } catch (RuntimeException | JsonProcessingException e) {
            final String id = UUID.randomUUID().toString();
            LOG.error("admin task {} failed (error id {})", getName(), id, e);
            answerError(context, output, 500, "the task failed; see the service log for error id " + id);
        }
    }

    private void answerError(CurrentTaskExchange context, PrintWriter output, int status, String message) {
        context.status(status);
        context.contentType("application/json");
        try {
            output.println(json.writeValueAsString(new ErrorMessage(status, message)));
        } catch (JsonProcessingException impossible) {
            output.println("{\"code\":" + status + "}");
        }
    }
}
