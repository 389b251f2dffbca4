package io.ocore.backups.platform.security.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import org.junit.jupiter.api.Test;

class InternalRoleGuardTest {

    final InternalRoleGuard guard = new InternalRoleGuard();

    @Test
    void aUserIdentityLosesTheInternalRoleAndKeepsTheOthers() {
        SecurityIdentity user = QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("user"))
                .addRole("internal:service").addRole("manage:environments").build();

        SecurityIdentity guarded = guard.augment(user, null).await().indefinitely();

        assertThat(guarded.getRoles()).containsExactly("manage:environments");
        assertThat(guarded.getPrincipal().getName()).isEqualTo("user");
    }

    @Test
    void aServiceTokenIdentityKeepsIt() {
        SecurityIdentity service = QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("backup-service"))
                .addRole("internal:service")
                .addAttribute(ServiceTokenIdentityProvider.SERVICE_TOKEN_ATTRIBUTE, Boolean.TRUE).build();

        assertThat(guard.augment(service, null).await().indefinitely().getRoles()).containsExactly("internal:service");
    }
}
