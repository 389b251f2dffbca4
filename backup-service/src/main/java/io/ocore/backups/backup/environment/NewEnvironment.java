package io.ocore.backups.backup.environment;

import io.ocore.backups.platform.security.confinement.EnvironmentConfinement;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement.Area;
import io.ocore.backups.platform.storage.EndpointGuard;
import io.ocore.backups.platform.web.Problem;
import io.ocore.backups.platform.web.ProblemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /api/environments} (and of the internal registration, which adds
 * {@code orgId}). Strings on purpose: every bad field is reported at once, in our words.
 */
public record NewEnvironment(String orgId, String name, String projectId, String environmentType, Database database,
        String filestorePath, String configPath) {

    public record Database(String host, Integer port, String name, String user, String password) {
    }

    /** libpq treats a dbname with '=' as a connection string; names and users stay plain identifiers. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.$-]{0,62}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\-\\[\\]]{1,253}");

    /**
     * The validated values; 400 naming every bad field, the operator's confinement included (the
     * database server, the paths on their real path). Blocking: resolves the host, reads the disk.
     */
    public Valid validate(boolean orgRequired, EnvironmentConfinement confinement) {
        List<Problem.FieldError> errors = new ArrayList<>();
        UUID org = null;
        if (orgRequired) {
            org = uuid("orgId", orgId, errors);
        }
        if (name == null || name.isBlank()) {
            errors.add(new Problem.FieldError("name", "is required"));
        } else if (name.length() > 200) {
            errors.add(new Problem.FieldError("name", "must be at most 200 characters"));
        }
        UUID project = uuid("projectId", projectId, errors);
        EnvironmentType type = null;
        if (environmentType == null || environmentType.isBlank()) {
            errors.add(new Problem.FieldError("environmentType", "is required"));
        } else {
            try {
                type = EnvironmentType.valueOf(environmentType);
            } catch (IllegalArgumentException e) {
                errors.add(new Problem.FieldError("environmentType",
                        "must be one of " + Arrays.toString(EnvironmentType.values())));
            }
        }
        if (database == null) {
            errors.add(new Problem.FieldError("database", "is required"));
        } else {
            boolean hostOk = database.host() != null && HOST.matcher(database.host()).matches();
            boolean portOk = database.port() != null && database.port() >= 1 && database.port() <= 65535;
            if (!hostOk) {
                errors.add(new Problem.FieldError("database.host", "must be a host name or address"));
            }
            if (!portOk) {
                errors.add(new Problem.FieldError("database.port", "must be between 1 and 65535"));
            }
            if (hostOk && portOk) {
                // link-local and metadata addresses: the destinations' address guard, loopback and private allowed
                errors.addAll(confinement.databaseServerErrors(database.host(), database.port(),
                        a -> EndpointGuard.check(a, true)));
            }
            if (database.name() == null || !IDENTIFIER.matcher(database.name()).matches()) {
                errors.add(new Problem.FieldError("database.name",
                        "must be 1-63 letters, digits, '_', '.', '$' or '-'"));
            }
            if (database.user() == null || !IDENTIFIER.matcher(database.user()).matches()) {
                errors.add(new Problem.FieldError("database.user",
                        "must be 1-63 letters, digits, '_', '.', '$' or '-'"));
            }
            if (database.password() == null) {
                errors.add(new Problem.FieldError("database.password", "is required (may be empty)"));
            }
        }
        confined(Area.FILESTORE, filestorePath, confinement, errors);
        confined(Area.CONFIG, configPath, confinement, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.validation(errors);
        }
        return new Valid(org, name.trim(), project, type, database.host(), database.port(), database.name(),
                database.user(), database.password(), Path.of(filestorePath).normalize().toString(),
                Path.of(configPath).normalize().toString());
    }

    public record Valid(UUID orgId, String name, UUID projectId, EnvironmentType environmentType, String dbHost,
            int dbPort, String dbName, String dbUser, String dbPassword, String filestorePath, String configPath) {
    }

    private static UUID uuid(String field, String v, List<Problem.FieldError> errors) {
        if (v == null || v.isBlank()) {
            errors.add(new Problem.FieldError(field, "is required"));
            return null;
        }
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            errors.add(new Problem.FieldError(field, "must be a UUID"));
            return null;
        }
    }

    private static void confined(Area area, String v, EnvironmentConfinement confinement,
            List<Problem.FieldError> errors) {
        if (v == null || v.isBlank()) {
            errors.add(new Problem.FieldError(area.field, "is required"));
        } else if (!v.startsWith("/") || v.indexOf('\0') >= 0) {
            errors.add(new Problem.FieldError(area.field, "must be an absolute path"));
        } else {
            confinement.pathError(area, v).ifPresent(m -> errors.add(new Problem.FieldError(area.field, m)));
        }
    }
}
