package io.ocore.backups.platform.web;

import java.net.URI;
import java.util.List;

/**
 * Thrown from any layer to answer with a problem detail. Messages must be safe to show to
 * the caller: never put secrets, SQL or stack details in them.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final String type;
    private final List<Problem.FieldError> errors;

    public ProblemException(int status, String type, String title, String detail, List<Problem.FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = errors == null ? null : List.copyOf(errors);
    }

    public ProblemException(int status, String type, String title, String detail) {
        this(status, type, title, detail, null);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String type() {
        return type;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    public Problem toProblem(String instance) {
        return new Problem(URI.create(type), title, status, getMessage(), instance, errors);
    }

    /** 404: does not exist, or belongs to another organisation (the two are indistinguishable on purpose). */
    public static ProblemException notFound(String what, Object id) {
        return new ProblemException(404, ProblemTypes.NOT_FOUND, "Not Found", what + " " + id + " was not found");
    }

    /** 409: the request conflicts with the current state. */
    public static ProblemException conflict(String detail) {
        return new ProblemException(409, ProblemTypes.CONFLICT, "Conflict", detail);
    }

    /** 400 naming every bad field. */
    public static ProblemException validation(List<Problem.FieldError> errors) {
        return new ProblemException(400, ProblemTypes.VALIDATION, "Validation failed",
                errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                        : errors.size() + " fields are invalid",
                errors);
    }

    /** 400 for a single bad field. */
    public static ProblemException badField(String field, String message) {
        return validation(List.of(new Problem.FieldError(field, message)));
    }
}
