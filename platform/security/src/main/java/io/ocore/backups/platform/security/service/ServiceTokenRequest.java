package io.ocore.backups.platform.security.service;

import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;

/** A bearer token presented on {@code /internal/...}; only {@link ServiceTokenIdentityProvider} handles it. */
public class ServiceTokenRequest extends TokenAuthenticationRequest {

    public ServiceTokenRequest(TokenCredential token) {
        super(token);
    }
}
