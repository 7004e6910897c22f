package io.authservice.resources;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.auth.JwtAuthFilter;
import io.authservice.auth.JwtTokens;
import io.authservice.auth.Origin;
import io.authservice.auth.SignInService;
import io.authservice.config.JwtConfig;
import io.authservice.core.JsonBodies;
import io.authservice.core.UserService;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * People's tokens, as the original's simplejwt endpoints:
 * <ul>
 *   <li>{@code POST /api/v1/token/} {@code {"username" or "email", "password"}}: {@code {"access","refresh"}}
 *       and both cookies; 401 for every kind of refusal, 429 with {@code Retry-After} when throttled, 503
 *       with {@code Retry-After} when too many sign-ins are being checked at once;</li>
 *   <li>{@code POST /api/v1/token/refresh/} (refresh cookie or {@code {"refresh"}}): a new pair, rotated;</li>
 *   <li>{@code POST /api/v1/token/logout/}: revokes the refresh family and clears both cookies (204);</li>
 *   <li>{@code POST /api/v1/token/verify/} {@code {"token"}}: 200 with what a valid access token says, else 401.</li>
 * </ul>
 * Bodies are at most {@value #MAX_BODY_BYTES} bytes; token answers are never cached. A request that
 * carries the token cookies must be JSON from an allowed origin ({@link io.authservice.auth.CrossSiteRequestFilter}).
 */
@Path("/api/v1/token")
@Produces(MediaType.APPLICATION_JSON)
public final class TokenResource {
    public static final int MAX_BODY_BYTES = 16 * 1024;
    /** How much of an over-long body is still read (and dropped) so that the client sees the 413. */
    private static final long DRAIN_LIMIT_BYTES = 1024 * 1024;
    private static final String REFUSED = "No active account found with the given credentials.";
    private static final String INVALID_TOKEN = "Token is invalid or expired.";
    private static final String REFRESH_PATH = "/api/v1/token";

    private final SignInService signIns;
    private final JsonBodies bodies;
    private final JwtConfig.CookieConfig cookies;
    private final Duration accessLifetime;
    private final Duration refreshLifetime;

    public TokenResource(SignInService signIns, ObjectMapper json, JwtConfig config) {
        this.signIns = signIns;
        this.bodies = new JsonBodies(json);
        this.cookies = config.getCookies();
        this.accessLifetime = config.getAccessTokenLifetime().toJavaDuration();
        this.refreshLifetime = config.getRefreshTokenLifetime().toJavaDuration();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response signIn(InputStream body, @Context ContainerRequestContext request) {
        final SignInBody fields = bodies.read(read(body), SignInBody.class);
        if ((fields.username() == null) == (fields.email() == null)) {
            throw new BadRequestException("give either 'username' or 'email', not both and not neither");
        }
        if (fields.password() == null) {
            throw new BadRequestException("'password' is required");
        }
        if (fields.password().length() > UserService.MAX_PASSWORD_LENGTH * 2) {
            throw new BadRequestException("'password' is too long");
        }
        return answer(signIns.signIn(fields.username(), fields.email(), fields.password(), Origin.of(request)),
                REFUSED);
    }

    @POST
    @Path("refresh")
    public Response refresh(InputStream body, @Context ContainerRequestContext request) {
        final String token = presentedRefresh(body, request)
                .orElseThrow(() -> new BadRequestException("'refresh' is required (the body or the "
                        + cookies.getRefreshName() + " cookie)"));
        return answer(signIns.refresh(token, Origin.of(request)), INVALID_TOKEN);
    }

    @POST
    @Path("logout")
    public Response signOut(InputStream body, @Context ContainerRequestContext request) {
        signIns.signOut(presentedRefresh(body, request).orElse(null), Origin.of(request));
        return Response.noContent()
                .cookie(expired(cookies.getAccessName(), "/"), expired(cookies.getRefreshName(), REFRESH_PATH))
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .build();
    }

    @POST
    @Path("verify")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response verify(InputStream body, @Context ContainerRequestContext request) {
        final String token = Optional.ofNullable(bodies.read(read(body), VerifyBody.class).token())
                .orElseThrow(() -> new BadRequestException("'token' is required"));
        final JwtTokens.Check check = signIns.verify(token, Origin.of(request));
        if (!(check instanceof JwtTokens.Valid valid)) {
            throw unauthorized(INVALID_TOKEN);
        }
        final var caller = JwtTokens.caller(valid);
        final Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("valid", true);
        answer.put("token_type", "access");
        answer.put("user_id", caller.id());
        answer.put("username", caller.username());
        answer.put("roles", caller.roles());
        answer.put("expires_at", valid.claims().getExpirationTime().toInstant());
        return Response.ok(answer).header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    private Response answer(SignInService.Outcome outcome, String refusal) {
        if (outcome instanceof SignInService.Granted granted) {
            final Map<String, String> pair = new LinkedHashMap<>();
            pair.put("access", granted.pair().access().token());
            pair.put("refresh", granted.pair().refresh().token());
            return Response.ok(pair)
                    .cookie(cookie(cookies.getAccessName(), granted.pair().access().token(), "/", accessLifetime),
                            cookie(cookies.getRefreshName(), granted.pair().refresh().token(), REFRESH_PATH,
                                    refreshLifetime))
                    .header(HttpHeaders.CACHE_CONTROL, "no-store")
                    .build();
        }
        if (outcome instanceof SignInService.Throttled throttled) {
            throw ErrorResponses.retryLater(Response.Status.TOO_MANY_REQUESTS, throttled.retryAfterSeconds(),
                    "Too many failed sign-ins; retry later.");
        }
        if (outcome instanceof SignInService.Overloaded overloaded) {
            throw ErrorResponses.retryLater(Response.Status.SERVICE_UNAVAILABLE, overloaded.retryAfterSeconds(),
                    "Too many sign-ins at once; retry in a moment.");
        }
        throw unauthorized(refusal);
    }

    private static WebApplicationException unauthorized(String message) {
        return new WebApplicationException(ErrorResponses.unauthorized(JwtAuthFilter.SCHEME, "auth-service", message));
    }

    /** The refresh token from the body ({@code {"refresh"}}) if one is given, else from the cookie. */
    private Optional<String> presentedRefresh(InputStream body, ContainerRequestContext request) {
        final String text = read(body);
        if (!text.isBlank()) {
            final Optional<String> fromBody = Optional.ofNullable(bodies.read(text, RefreshBody.class).refresh());
            if (fromBody.isPresent()) {
                return fromBody;
            }
        }
        final Cookie cookie = request.getCookies().get(cookies.getRefreshName());
        return cookie == null || cookie.getValue().isEmpty() ? Optional.empty()
                : Optional.of(cookie.getValue());
    }

    /** The body's text, at most {@value #MAX_BODY_BYTES} bytes (else a 413); bad JSON in it is a 400. */
    private static String read(InputStream body) {
        if (body == null) {
            return "";
        }
        try {
            final byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                discard(body);
                throw new WebApplicationException("the request body is larger than " + MAX_BODY_BYTES + " bytes",
                        Response.Status.REQUEST_ENTITY_TOO_LARGE);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads and drops the rest of an over-long body, up to {@value #DRAIN_LIMIT_BYTES} bytes: a client
     * still sending its body when the 413 comes back would otherwise often see the connection reset
     * instead of the answer. Bounded, so a body streamed on and on costs no more than that.
     */
    private static void discard(InputStream body) throws IOException {
        final byte[] buffer = new byte[8192];
        long left = DRAIN_LIMIT_BYTES;
        for (int n; left > 0 && (n = body.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0; ) {
            left -= n;
        }
    }

    private NewCookie cookie(String name, String value, String path, Duration lifetime) {
        return new NewCookie.Builder(name)
                .value(value)
                .path(path)
                .domain(cookies.getDomain())
                .maxAge(Math.toIntExact(lifetime.toSeconds()))
                .httpOnly(true)
                .secure(cookies.isSecure())
                .sameSite(NewCookie.SameSite.LAX)
                .build();
    }

    private NewCookie expired(String name, String path) {
        return new NewCookie.Builder(name)
                .value("")
                .path(path)
                .domain(cookies.getDomain())
                .maxAge(0)
                .expiry(Date.from(Instant.EPOCH))
                .httpOnly(true)
                .secure(cookies.isSecure())
                .sameSite(NewCookie.SameSite.LAX)
                .build();
    }

    /** {@code POST /api/v1/token/}: a username or an email, and the password. {@link #toString()} leaves it out. */
    record SignInBody(@JsonProperty("username") String username, @JsonProperty("email") String email,
                      @JsonProperty("password") String password) {
        @Override
        public String toString() {
            return "SignInBody[username=" + username + ", email=" + email + "]";
        }
    }

    /** {@code POST /api/v1/token/refresh/} and {@code logout/}: the refresh token, if not in the cookie. */
    record RefreshBody(@JsonProperty("refresh") String refresh) {
        @Override
        public String toString() {
            return "RefreshBody[]";
        }
    }

    /** {@code POST /api/v1/token/verify/}: the access token to check. */
    record VerifyBody(@JsonProperty("token") String token) {
        @Override
        public String toString() {
            return "VerifyBody[]";
        }
    }
}
