package io.ocore.backups.cli.http;

import io.ocore.backups.cli.CliException;
import io.ocore.backups.cli.ExitCodes;

/** The gateway answered with an error status; the message is the rendered problem detail. */
public class ApiException extends CliException {

    private final int status;

    public ApiException(int status, String message) {
        super(ExitCodes.forStatus(status), message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
