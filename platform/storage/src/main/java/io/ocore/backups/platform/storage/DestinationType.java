package io.ocore.backups.platform.storage;

import java.util.Locale;

/** The destination types of the API, spelled as on the wire ({@code s3_compatible}). */
public enum DestinationType {
    s3, s3_compatible, sftp, local, onedrive, gdrive;

    /** Parses the wire name; unknown names throw {@link IllegalArgumentException} naming the allowed ones. */
    public static DestinationType of(String name) {
        if (name != null) {
            for (DestinationType t : values()) {
                if (t.name().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("Unknown destination type '" + name
                + "'; expected one of s3, s3_compatible, sftp, local, onedrive, gdrive.");
    }
}
