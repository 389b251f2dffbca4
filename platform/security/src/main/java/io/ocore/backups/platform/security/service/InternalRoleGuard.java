package io.ocore.backups.platform.security.service;

import io.ocore.backups.platform.security.Permissions;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code internal:service} is a role only a service token gives: a user token whose
 * {@code permissions} carry it loses it here, so it never satisfies {@code @RolesAllowed(internal:service)}.
 */
@ApplicationScoped
public class InternalRoleGuard implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !identity.getRoles().contains(Permissions.INTERNAL_SERVICE)
                || Boolean.TRUE.equals(identity.getAttribute(ServiceTokenIdentityProvider.SERVICE_TOKEN_ATTRIBUTE))) {
            return Uni.createFrom().item(identity);
        }
        Set<String> roles = new LinkedHashSet<>(identity.getRoles());
        roles.remove(Permissions.INTERNAL_SERVICE);
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addRoles(roles)
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addPermissionChecker(identity::checkPermission)
                .build());
    }

    @Override
    public int priority() {
        // after every other augmentor, so none can add the role back
        return Integer.MIN_VALUE;
    }
}
