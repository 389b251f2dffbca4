package io.ocore.backups.platform.security.confinement;

import java.io.IOException;

/**
 * An environment path refused at the moment of use (backup, restore, swap, delete): its message is
 * the plain reason the backup or restore fails with. An IOException, so that it fails the work the
 * way any other file error does, before anything is touched.
 */
public class ConfinementException extends IOException {

    public ConfinementException(String reason) {
        super(reason);
    }
}
