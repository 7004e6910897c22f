package io.authservice;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jersey.errors.ErrorMessage;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What Jetty answers itself, before any request reaches the application (for example 431 for
 * headers beyond the configured maximum, 400 for an unparseable request line), in the one error
 * shape {@code {"code":..,"message":..}} instead of Jetty's HTML.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpField CONTENT_TYPE = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(CONTENT_TYPE);
        return ByteBuffer.wrap(body(status));
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    /** The body for a status; the message is the status's standard phrase, never request text. */
    static byte[] body(int status) {
        final String phrase = HttpStatus.getMessage(status);
        try {
            return JSON.writeValueAsBytes(new ErrorMessage(status, phrase == null ? "Error" : phrase));
        } catch (JsonProcessingException impossible) {
            return ("{\"code\":" + status + "}").getBytes(StandardCharsets.US_ASCII);
        }
    }
}
