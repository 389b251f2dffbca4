package io.ocore.backups.platform.storage;

import java.util.List;
import java.util.stream.Collectors;

/** A destination config with one or more bad fields; {@link #errors()} names every one of them. */
public class InvalidConfigException extends IllegalArgumentException {

    private final List<ConfigError> errors;

    public InvalidConfigException(List<ConfigError> errors) {
        super("Invalid destination config: " + errors.stream()
                .map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
