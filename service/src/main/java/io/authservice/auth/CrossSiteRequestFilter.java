package io.authservice.auth;

import io.authservice.resources.ErrorResponses;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses cross-site requests that would act with a person's token cookies. A request that carries
 * the access or the refresh cookie and may change state (any method but GET, HEAD and OPTIONS) must
 * <ul>
 *   <li>come from the service's own origin or an allowed one: its {@code Origin}, or when it has
 *       none its {@code Sec-Fetch-Site} ({@code same-origin} or {@code none}), else 403; a request
 *       with neither header (not a browser's) passes;</li>
 *   <li>say {@code Content-Type: application/json}, else 415: a page on another site can send a
 *       form or {@code text/plain} with the cookies, but JSON only after a CORS preflight, which this
 *       service never grants.</li>
 * </ul>
 * Requests without the cookies are not touched: they carry no ambient credential to abuse.
 */
@Priority(Priorities.AUTHENTICATION - 100)
public final class CrossSiteRequestFilter implements ContainerRequestFilter {
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> SAME_ORIGIN_FETCHES = Set.of("same-origin", "none");

    private final Set<String> cookieNames;
    private final Set<String> allowedOrigins;

    /**
     * @param cookieNames    the cookies that authenticate (access and refresh token)
     * @param allowedOrigins origins besides the service's own, {@code scheme://host[:port]}
     * @throws IllegalArgumentException for an allowed origin that is not of that form
     */
    public CrossSiteRequestFilter(Collection<String> cookieNames, List<String> allowedOrigins) {
        this.cookieNames = Set.copyOf(cookieNames);
        this.allowedOrigins = allowedOrigins.stream().map(CrossSiteRequestFilter::configuredOrigin)
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (SAFE_METHODS.contains(request.getMethod())
                || request.getCookies().keySet().stream().noneMatch(cookieNames::contains)) {
            return;
        }
        if (!fromAllowedOrigin(request)) {
            throw ErrorResponses.refuse(Response.Status.FORBIDDEN,
                    "Cross-site request refused: this origin may not use the session cookies.");
        }
        final MediaType type = request.getMediaType();
        if (type == null || !type.getType().equalsIgnoreCase("application") || !type.getSubtype().equalsIgnoreCase("json")) {
            throw ErrorResponses.refuse(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "A request with the session cookies must send Content-Type: application/json.");
        }
    }

    private boolean fromAllowedOrigin(ContainerRequestContext request) {
        final String origin = request.getHeaderString("Origin");
        if (origin != null) {
            final String presented = normalised(origin);
            return presented != null
                    && (presented.equals(normalised(request.getUriInfo().getBaseUri())) || allowedOrigins.contains(presented));
        }
        final String fetchSite = request.getHeaderString("Sec-Fetch-Site");
        return fetchSite == null || SAME_ORIGIN_FETCHES.contains(fetchSite.trim().toLowerCase(Locale.ROOT));
    }

    private static String configuredOrigin(String origin) {
        final String normalised = normalised(origin.trim());
        if (normalised == null) {
            throw new IllegalArgumentException("an allowed origin is scheme://host[:port] with nothing after it, not '"
                    + origin + "'");
        }
        return normalised;
    }

    /** {@code scheme://host:port} in lower case with the port always given, or null when {@code origin} is no origin. */
    private static String normalised(String origin) {
        try {
            final URI uri = new URI(origin);
            final boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
                    && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
            return bare ? normalised(uri) : null;
        } catch (java.net.URISyntaxException e) {
            return null; // e.g. "null", sent by sandboxed frames
        }
    }

    private static String normalised(URI uri) {
        final String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
            return null;
        }
        final int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }
}
