package io.ocore.backups.platform.security;

/** The permissions a token's {@code permissions} claim may carry; mapped to roles. */
public final class Permissions {

    /** Create backups, restore, edit schedules. */
    public static final String MANAGE_ENVIRONMENTS = "manage:environments";
    /** Read backups, schedules, alerts, WAL coverage. */
    public static final String VIEW_ENVIRONMENTS = "view:environments";
    /** Manage backup destinations. */
    public static final String MANAGE_ORG_SETTINGS = "manage:org_settings";
    /**
     * Platform operators and services: register environments (their database servers and paths).
     * Organisation users' tokens never carry it.
     */
    public static final String MANAGE_PLATFORM = "manage:platform";
    /** Service-to-service calls to {@code /internal/...} endpoints; never given to users. */
    public static final String INTERNAL_SERVICE = "internal:service";

    private Permissions() {
    }
}
