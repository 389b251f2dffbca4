package io.ocore.backups.platform.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one mapping from exceptions to {@code application/problem+json}. Only 5xx are logged;
 * no response ever carries a stack trace or an exception class name.
 */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        if (e.status() >= 500) {
            Log.errorf("%s answered %d: %s", path(uri), e.status(), e.getMessage());
        }
        return respond(e.toProblem(path(uri)));
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldOf(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        return respond(ProblemException.validation(errors).toProblem(path(uri)));
    }

    @ServerExceptionMapper(priority = 1)
    public Response unrecognizedProperty(UnrecognizedPropertyException e, UriInfo uri) {
        return respond(ProblemException.badField(jsonPath(e), "unknown property").toProblem(path(uri)));
    }

    @ServerExceptionMapper(priority = 1)
    public Response invalidFormat(InvalidFormatException e, UriInfo uri) {
        String message;
        Class<?> target = e.getTargetType();
        if (target != null && target.isEnum()) {
            message = "must be one of " + Arrays.stream(target.getEnumConstants())
                    .map(ProblemMappers::enumName)
                    .collect(Collectors.joining(", ", "[", "]"));
        } else {
            message = "has an invalid value" + (target == null ? "" : " (expected " + describe(target) + ")");
        }
        return respond(ProblemException.badField(jsonPath(e), message).toProblem(path(uri)));
    }

    @ServerExceptionMapper(priority = 2)
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        String field = jsonPath(e);
        if (field.isEmpty()) {
            return respond(malformed("The request body is empty or not the expected JSON object", uri));
        }
        Class<?> target = e.getTargetType();
        return respond(ProblemException.badField(field,
                "has the wrong type" + (target == null ? "" : " (expected " + describe(target) + ")"))
                .toProblem(path(uri)));
    }

    @ServerExceptionMapper(priority = 3)
    public Response jsonMapping(JsonMappingException e, UriInfo uri) {
        String field = jsonPath(e);
        if (field.isEmpty()) {
            return respond(malformed("The request body could not be read as JSON", uri));
        }
        // The cause of a mapping failure (e.g. an IllegalArgumentException from a record constructor)
        // may be a message we wrote for the caller; anything else stays generic.
        return respond(ProblemException.badField(field, "has an invalid value").toProblem(path(uri)));
    }

    @ServerExceptionMapper(priority = 4)
    public Response jsonProcessing(JsonProcessingException e, UriInfo uri) {
        return respond(malformed("The request body is not valid JSON (line "
                + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")", uri));
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthenticated(uri);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthenticated(uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return respond(new Problem(URI.create(ProblemTypes.FORBIDDEN), "Forbidden", 403,
                "Your token lacks the permission this operation requires", path(uri), null));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        Response r = e.getResponse();
        int status = r == null ? 500 : r.getStatus();
        if (status >= 500) {
            return internal(e, uri);
        }
        String type = switch (status) {
            case 401 -> ProblemTypes.UNAUTHORIZED;
            case 403 -> ProblemTypes.FORBIDDEN;
            case 404 -> ProblemTypes.NOT_FOUND;
            case 405 -> ProblemTypes.METHOD_NOT_ALLOWED;
            case 413 -> ProblemTypes.TOO_LARGE;
            case 415 -> ProblemTypes.UNSUPPORTED_MEDIA_TYPE;
            default -> ProblemTypes.MALFORMED;
        };
        if (status == 401) {
            return unauthenticated(uri);
        }
        String reason = Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "No resource at " + path(uri);
            case 405 -> "This method is not allowed on " + path(uri);
            case 415 -> "Send the body as application/json";
            default -> reason;
        };
        return respond(new Problem(URI.create(type), reason, status, detail, path(uri), null));
    }

    @ServerExceptionMapper
    public Response internal(Throwable e, UriInfo uri) {
        String incident = UUID.randomUUID().toString();
        Log.errorf(e, "Unexpected failure on %s (incident %s)", path(uri), incident);
        return respond(new Problem(URI.create(ProblemTypes.INTERNAL), "Internal Server Error", 500,
                "Something went wrong on our side; quote incident " + incident + " when you report it",
                path(uri), null));
    }

    /** Builds the response for a problem; the one place that sets the media type. */
    public static Response respond(Problem problem) {
        Response.ResponseBuilder b = Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
        if (problem.status() == 401) {
            b.header("WWW-Authenticate", "Bearer");
        }
        return b.build();
    }

    private static Response unauthenticated(UriInfo uri) {
        return respond(new Problem(URI.create(ProblemTypes.UNAUTHORIZED), "Unauthorized", 401,
                "A valid bearer token is required (missing, expired or not signed by oCore)", path(uri), null));
    }

    private static Problem malformed(String detail, UriInfo uri) {
        return new Problem(URI.create(ProblemTypes.MALFORMED), "Malformed request", 400, detail, path(uri), null);
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : "/" + uri.getPath().replaceFirst("^/", "");
    }

    /** {@code create.request.config.bucket} -> {@code config.bucket}: drops the method and parameter nodes. */
    static String fieldOf(ConstraintViolation<?> v) {
        List<String> names = new ArrayList<>();
        for (Path.Node node : v.getPropertyPath()) {
            switch (node.getKind()) {
                case METHOD, CONSTRUCTOR, CROSS_PARAMETER, RETURN_VALUE -> names.clear();
                case PARAMETER -> names.clear();
                default -> {
                    String name = node.getName();
                    if (node.getIndex() != null && !names.isEmpty()) {
                        names.set(names.size() - 1, names.get(names.size() - 1) + "[" + node.getIndex() + "]");
                    }
                    if (name != null && !name.startsWith("<")) {
                        names.add(name);
                    }
                }
            }
        }
        if (names.isEmpty()) {
            // A violation of a parameter itself (e.g. a @NotNull body): name the parameter.
            String last = null;
            for (Path.Node node : v.getPropertyPath()) {
                last = node.getName();
            }
            return last == null ? "body" : last;
        }
        return String.join(".", names);
    }

    static String jsonPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String enumName(Object constant) {
        try {
            var field = constant.getClass().getField(((Enum<?>) constant).name());
            var prop = field.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            if (prop != null && !prop.value().isEmpty()) {
                return prop.value();
            }
        } catch (NoSuchFieldException ignored) {
            // fall through to the constant's own name
        }
        return constant.toString();
    }

    private static String describe(Class<?> type) {
        if (type == UUID.class) {
            return "a UUID";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "an ISO 8601 timestamp";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }
}
