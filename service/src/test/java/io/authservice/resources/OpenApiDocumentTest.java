package io.authservice.resources;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.authservice.AuthServiceConfiguration;
import io.authservice.api.ApiKeyList;
import io.authservice.api.ApiKeyView;
import io.authservice.api.AuditBreakdown;
import io.authservice.api.AuditSeries;
import io.authservice.api.AuditSummary;
import io.authservice.api.EmployeeView;
import io.authservice.api.UserView;
import io.authservice.api.UsersInfo;
import io.authservice.api.UsersInfoRequest;
import io.authservice.api.WhoAmI;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;
import io.authservice.auditquery.AuditCsv;
import io.authservice.core.Scopes;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.auth.Auth;
import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import org.glassfish.jersey.server.ExtendedResourceContext;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Keeps the hand-written OpenAPI document ({@code openapi.yaml}) true: it is served without
 * credentials in two equal forms, it is valid OpenAPI, it names exactly the (method, path) pairs
 * the running service registers with Jersey, each operation's security is what its resource
 * method's annotations enforce, its schemas name exactly the fields of the wire records, and its
 * examples match its schemas.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class OpenApiDocumentTest {
    private static final Path DIR = TestApps.tempDir();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeConfig(TestDatabases.newH2(DIR), DIR));

    /** Registered on purpose but not part of the public API. */
    private static final Set<Endpoint> NOT_PUBLIC = Set.of(
            new Endpoint("GET", "/test/scoped")); // TestAuthServiceApplication's own endpoint
    /** Jersey answers these itself for every path; the document leaves them out. */
    private static final Set<String> IMPLICIT_METHODS = Set.of("HEAD", "OPTIONS");
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    private static final String API_KEY = "apiKey";
    private static final List<String> PERSON_SCHEMES = List.of("bearerToken", "accessTokenCookie");

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * JSON Schema 2020-12, OpenAPI 3.1's dialect, told of OpenAPI's {@code example} keyword and of
     * {@code components}, which each checked schema carries so that its references resolve.
     */
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            factory -> factory.metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                    .keywords(List.of(new NonValidationKeyword("components"), new NonValidationKeyword("example")))
                    .build()));

    private static Http.Answer servedYaml;
    private static Http.Answer servedJson;
    private static JsonNode document;

    /** Fetches both forms once, with no credential. */
    @BeforeAll
    static void fetch() throws IOException {
        final Http http = new Http(APP.getLocalPort());
        servedYaml = http.get("/api/v1/openapi.yaml");
        servedJson = http.get("/api/v1/openapi.json");
        document = new YAMLMapper().readTree(servedYaml.body());
    }

    /** A method and a path template, normalised: no trailing slash, parameters without regular expressions. */
    record Endpoint(String method, String path) implements Comparable<Endpoint> {
        static Endpoint of(String method, String template) {
            String path = ("/" + template).replaceAll("\\{\\s*([^}:\\s]+)\\s*(:[^}]*)?}", "{$1}").replaceAll("/+", "/");
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            return new Endpoint(method.toUpperCase(Locale.ROOT), path);
        }

        @Override
        public int compareTo(Endpoint other) {
            return (path + " " + method).compareTo(other.path + " " + other.method);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @Test
    void isServedWithoutCredentialsAsYamlAndAsJsonOfTheSameTree() throws IOException {
        assertThat(servedYaml.status()).as(servedYaml.body()).isEqualTo(200);
        assertThat(servedYaml.header("Content-Type")).isEqualTo("application/yaml");
        assertThat(servedJson.status()).as(servedJson.body()).isEqualTo(200);
        assertThat(servedJson.header("Content-Type")).isEqualTo("application/json");
        for (Http.Answer answer : List.of(servedYaml, servedJson)) {
            assertThat(answer.header("Cache-Control")).isEqualTo("public, max-age=300");
        }
        assertThat(JSON.readTree(servedJson.body())).isEqualTo(document);
        assertThat(document.path("paths").size()).isGreaterThan(10);
    }

    /** Swagger UI at /api/v1/docs/ reads this document, from files only (no inline script), under the headers. */
    @Test
    void swaggerUiShowsThisDocumentWithoutInlineScript() {
        final Http http = new Http(APP.getLocalPort());
        final Http.Answer page = http.get("/api/v1/docs/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self';").doesNotContain("unsafe-eval");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        final List<String> scripts = new ArrayList<>();
        final java.util.regex.Matcher tags = java.util.regex.Pattern.compile("<script([^>]*)>(.*?)</script>",
                java.util.regex.Pattern.DOTALL).matcher(page.body());
        while (tags.find()) {
            assertThat(tags.group(2)).as("inline script").isBlank();
            final java.util.regex.Matcher src = java.util.regex.Pattern.compile("src=\"([^\"]+)\"").matcher(tags.group(1));
            assertThat(src.find()).as("script without src").isTrue();
            scripts.add(src.group(1));
        }
        assertThat(scripts).contains("ui/swagger-ui-bundle.js", "swagger-initializer.js");
        for (String script : scripts) {
            final Http.Answer served = http.get("/api/v1/docs/" + script);
            assertThat(served.status()).as(script).isEqualTo(200);
            assertThat(served.header("Content-Type")).as(script).contains("javascript");
        }
        assertThat(http.get("/api/v1/docs/swagger-initializer.js").body()).contains("url: \"/api/v1/openapi.json\"");
        assertThat(http.get("/api/v1/docs/ui/swagger-ui.css").status()).isEqualTo(200);
    }

    @Test
    void isValidOpenApi() {
        assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
        final SwaggerParseResult result = parse(servedYaml.body());
        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI().getPaths()).hasSameSizeAs(iterable(document.get("paths")));

        // the validator does look: the same document with an attribute OpenAPI does not define is refused
        final String broken = servedYaml.body().replaceFirst("operationId: ping\n", "operationId: ping\n      pong: 1\n");
        assertThat(broken).isNotEqualTo(servedYaml.body());
        assertThat(parse(broken).getMessages()).isNotEmpty();
    }

    @Test
    void namesExactlyThePublicEndpointsJerseyServes() {
        final Map<Endpoint, Method> registered = registered();
        assertThat(registered.keySet()).as("the exclusions are still registered").containsAll(NOT_PUBLIC);
        final Set<Endpoint> served = new TreeSet<>(registered.keySet());
        served.removeAll(NOT_PUBLIC);
        final Set<Endpoint> documented = documented().keySet();

        assertThat(difference(served, documented)).as("served but not in openapi.yaml").isEmpty();
        assertThat(difference(documented, served)).as("in openapi.yaml but not served").isEmpty();
        assertThat(documented).contains(new Endpoint("GET", "/api/v1/openapi.yaml"), new Endpoint("GET", "/api/v1/openapi.json"));
    }

    @Test
    void everyOperationDeclaresTheSecurityItsResourceMethodEnforces() {
        final Map<Endpoint, Method> registered = registered();
        final Map<Endpoint, JsonNode> documented = documented();
        for (Map.Entry<Endpoint, JsonNode> entry : documented.entrySet()) {
            final Endpoint endpoint = entry.getKey();
            final JsonNode operation = entry.getValue();
            final Method handler = registered.get(endpoint);
            assertThat(handler).as("%s is served", endpoint).isNotNull();
            assertThat(operation.has("security")).as("%s declares its security (public: [])", endpoint).isTrue();

            final Set<Map<String, List<String>>> expected = expectedSecurity(handler);
            assertThat(securityOf(operation)).as("%s security, from %s", endpoint, handler).isEqualTo(expected);

            final JsonNode responses = operation.path("responses");
            if (!expected.isEmpty()) {
                assertThat(responses.has("401")).as("%s documents 401", endpoint).isTrue();
            }
            if (expected.stream().anyMatch(requirement -> requirement.containsKey(API_KEY))) {
                assertThat(responses.has("429")).as("%s documents the key throttle's 429", endpoint).isTrue();
                assertThat(responses.has("503")).as("%s documents reject mode's 503", endpoint).isTrue();
            }
            if (expected.stream().anyMatch(requirement -> !requirement.values().iterator().next().isEmpty())) {
                assertThat(responses.has("403")).as("%s documents 403 for a missing scope or role", endpoint).isTrue();
            }
            assertThat(responses.has("431")).as("%s documents Jetty's 431", endpoint).isTrue();
        }
    }

    @Test
    void schemasNameExactlyTheFieldsOfTheWireRecords() {
        final Map<String, Class<?>> records = new LinkedHashMap<>();
        records.put("/components/schemas/Error", ErrorMessage.class);
        records.put("/components/schemas/User", UserView.class);
        records.put("/components/schemas/Employee", EmployeeView.class);
        records.put("/components/schemas/UsersInfoRequest", UsersInfoRequest.class);
        records.put("/components/schemas/UsersInfo", UsersInfo.class);
        records.put("/components/schemas/WhoAmI", WhoAmI.class);
        records.put("/components/schemas/ApiKeyList", ApiKeyList.class);
        records.put("/components/schemas/ApiKey", ApiKeyView.class);
        records.put("/components/schemas/AuditSeries", AuditSeries.class);
        records.put("/components/schemas/AuditBreakdown", AuditBreakdown.class);
        records.put("/components/schemas/AuditBreakdown/properties/groups/items", AuditBreakdown.Group.class);
        records.put("/components/schemas/AuditSeries/properties/series/items", AuditSeries.Group.class);
        records.put("/components/schemas/AuditSummary", AuditSummary.class);
        records.put("/components/schemas/AuditSummary/properties/by_type_and_outcome/items", AuditSummary.TypeCount.class);
        records.put("/components/schemas/AuditSummary/properties/top_failing_client_addresses/items",
                AuditSummary.AddressFailures.class);
        records.put("/components/schemas/AuditSummary/properties/uses_per_key/items", AuditSummary.KeyUses.class);
        records.put("/components/schemas/AuditSummary/properties/unused_keys/items", AuditSummary.UnusedKey.class);
        records.put("/components/schemas/AuditSummary/properties/expiring_keys/items", AuditSummary.ExpiringKey.class);
        records.forEach((pointer, type) -> assertThat(propertiesAt(pointer)).as(pointer)
                .isEqualTo(jsonProperties(type)));

        final Set<String> wire = new TreeSet<>(jsonProperties(AuditEvent.class));
        wire.add(AuditWireFormat.VERSION_FIELD);
        assertThat(propertiesAt("/components/schemas/AuditEvent")).isEqualTo(wire);
        final String csvExample = document.at("/paths/~1api~1v1~1audit~1events~1/get/responses/200/content/text~1csv/example")
                .asText();
        assertThat(csvExample.lines().findFirst()).hasValue(String.join(",", AuditCsv.COLUMNS));
    }

    @Test
    void everyExampleMatchesItsSchema() {
        final Map<String, Set<ValidationMessage>> invalid = new TreeMap<>();
        final int checked = checkExamples("", document, invalid);
        assertThat(invalid).isEmpty();
        assertThat(checked).as("examples checked").isGreaterThan(30);
    }

    // --- the document ------------------------------------------------------------------------------

    /**
     * Checks every example below {@code node} (of a media type, parameter or header, against its
     * {@code schema}; of a component schema, against that schema) into {@code invalid}, by where
     * it stands; returns how many were checked.
     */
    private static int checkExamples(String pointer, JsonNode node, Map<String, Set<ValidationMessage>> invalid) {
        int checked = 0;
        final JsonNode schema = pointer.matches("/components/schemas/[^/]+") ? node : node.get("schema");
        if (node.isObject() && schema != null && schema.isObject()) {
            final Map<String, JsonNode> examples = new LinkedHashMap<>();
            if (node.has("example")) {
                examples.put(pointer + "/example", node.get("example"));
            }
            node.path("examples").fields().forEachRemaining(example ->
                    examples.put(pointer + "/examples/" + example.getKey(), example.getValue().path("value")));
            final ObjectNode root = schema.deepCopy();
            root.set("components", document.get("components"));
            for (Map.Entry<String, JsonNode> example : examples.entrySet()) {
                final Set<ValidationMessage> messages = SCHEMAS.getSchema(root).validate(example.getValue());
                if (!messages.isEmpty()) {
                    invalid.put(example.getKey(), messages);
                }
                checked++;
            }
        }
        for (Map.Entry<String, JsonNode> child : iterableFields(node)) {
            checked += checkExamples(pointer + "/" + child.getKey(), child.getValue(), invalid);
        }
        return checked;
    }


    private static SwaggerParseResult parse(String yaml) {
        final ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readContents(yaml, null, options);
    }

    /** Every operation of the document, by normalised method and path. */
    private static Map<Endpoint, JsonNode> documented() {
        final Map<Endpoint, JsonNode> operations = new TreeMap<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(entry -> {
            if (HTTP_METHODS.contains(entry.getKey())) {
                final JsonNode previous = operations.put(Endpoint.of(entry.getKey(), path.getKey()), entry.getValue());
                assertThat(previous).as("%s %s is documented once", entry.getKey(), path.getKey()).isNull();
            }
        }));
        return operations;
    }

    /** An operation's security requirements: scheme name to the scopes or roles it needs, each an alternative. */
    private static Set<Map<String, List<String>>> securityOf(JsonNode operation) {
        final Set<Map<String, List<String>>> requirements = new HashSet<>();
        for (JsonNode requirement : iterable(operation.path("security"))) {
            final Map<String, List<String>> schemes = new TreeMap<>();
            requirement.fields().forEachRemaining(scheme -> schemes.put(scheme.getKey(),
                    iterable(scheme.getValue()).stream().map(JsonNode::asText).toList()));
            requirements.add(schemes);
        }
        return requirements;
    }

    private static Set<String> propertiesAt(String pointer) {
        final JsonNode properties = document.at(pointer).path("properties");
        assertThat(properties.isObject()).as("%s has properties", pointer).isTrue();
        final Set<String> names = new TreeSet<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }

    // --- the running service -----------------------------------------------------------------------

    /** Every (method, path) the running Jersey application routes, with the Java method that answers it. */
    private static Map<Endpoint, Method> registered() {
        final ServletContainer container = (ServletContainer) APP.getEnvironment().getJerseyServletContainer();
        final List<Resource> roots = container.getApplicationHandler().getInjectionManager()
                .getInstance(ExtendedResourceContext.class).getResourceModel().getRootResources();
        final Map<Endpoint, Method> endpoints = new TreeMap<>();
        for (Resource root : roots) {
            collect(root, "", endpoints);
        }
        return endpoints;
    }

    private static void collect(Resource resource, String parent, Map<Endpoint, Method> into) {
        final String path = parent + "/" + resource.getPath();
        if (resource.getResourceLocator() != null) {
            fail("%s has a sub-resource locator; teach this test to follow it", path);
        }
        for (ResourceMethod method : resource.getResourceMethods()) {
            if (!IMPLICIT_METHODS.contains(method.getHttpMethod())) {
                final Method previous = into.put(Endpoint.of(method.getHttpMethod(), path),
                        method.getInvocable().getHandlingMethod());
                assertThat(previous).as("%s %s is routed once", method.getHttpMethod(), path).isNull();
            }
        }
        for (Resource child : resource.getChildResources()) {
            collect(child, path, into);
        }
    }

    /**
     * The security requirements a resource method's annotations impose, as dropwizard-auth's
     * {@code AuthDynamicFeature} reads them: {@code @RolesAllowed} names scopes (keys only) and
     * roles (people only), each an alternative; {@code @PermitAll} or an {@code @Auth} parameter
     * takes any valid credential; neither leaves the method public.
     */
    private static Set<Map<String, List<String>>> expectedSecurity(Method handler) {
        assertThat(annotation(handler, DenyAll.class)).as("%s: @DenyAll is not expected", handler).isNull();
        final RolesAllowed rolesAllowed = annotation(handler, RolesAllowed.class);
        final Set<Map<String, List<String>>> requirements = new HashSet<>();
        if (rolesAllowed != null) {
            for (String name : rolesAllowed.value()) {
                if (Scopes.ALL.contains(name)) {
                    requirements.add(Map.of(API_KEY, List.of(name)));
                } else {
                    PERSON_SCHEMES.forEach(scheme -> requirements.add(Map.of(scheme, List.of(name))));
                }
            }
        } else if (annotation(handler, PermitAll.class) != null || hasAuthParameter(handler)) {
            requirements.add(Map.of(API_KEY, List.of()));
            PERSON_SCHEMES.forEach(scheme -> requirements.add(Map.of(scheme, List.of())));
        }
        return requirements;
    }

    /** On the method, else on its class (the method's own annotation wins, as in AuthDynamicFeature). */
    private static <A extends java.lang.annotation.Annotation> A annotation(Method method, Class<A> type) {
        final A own = method.getAnnotation(type);
        return own != null ? own : method.getDeclaringClass().getAnnotation(type);
    }

    private static boolean hasAuthParameter(Method method) {
        return Arrays.stream(method.getParameters()).anyMatch(parameter -> parameter.isAnnotationPresent(Auth.class));
    }

    // --- helpers -----------------------------------------------------------------------------------

    /** The JSON property names Jackson writes for a type (records and beans alike). */
    private static Set<String> jsonProperties(Class<?> type) {
        final JavaType javaType = JSON.constructType(type);
        return JSON.getSerializationConfig().introspect(javaType).findProperties().stream()
                .map(BeanPropertyDefinition::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<Map.Entry<String, JsonNode>> iterableFields(JsonNode node) {
        final List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        node.fields().forEachRemaining(fields::add);
        return fields;
    }

    private static List<JsonNode> iterable(JsonNode node) {
        final List<JsonNode> items = new ArrayList<>();
        node.elements().forEachRemaining(items::add);
        return items;
    }

    private static <T> Set<T> difference(Set<T> a, Set<T> b) {
        final Set<T> result = new TreeSet<>(a);
        result.removeAll(b);
        return result;
    }
}
