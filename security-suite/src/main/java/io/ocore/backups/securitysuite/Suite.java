package io.ocore.backups.securitysuite;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What every probe group needs: where the stack answers, how to mint tokens, the demo's ids, the report. */
record Suite(Api gateway, Map<String, Api> services, Tokens tokens, Report report, UUID demoOrg, UUID demoEnv,
        UUID demoDestination, String keysDir, String servicesDatabase, byte[] serviceKey) {

    /** The demo organisation user's ordinary permissions (bin/lib/keys.sh demo_token). */
    static final List<String> ORG_USER = List.of("manage:environments", "view:environments", "manage:org_settings");

    /** An organisation that holds nothing of the demo's. */
    static final UUID OTHER_ORG = UUID.fromString("00000000-0000-0000-0000-00000000e0e0");

    String demoToken() {
        return tokens.valid(demoOrg, ORG_USER);
    }

    String token(UUID org, String... permissions) {
        return tokens.valid(org, List.of(permissions));
    }

    URI gatewayUri() {
        return gateway.base();
    }
}
