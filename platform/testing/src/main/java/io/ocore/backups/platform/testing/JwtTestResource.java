package io.ocore.backups.platform.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Makes a Quarkus app under test trust {@link TestTokens}: user tokens and service tokens. */
public class JwtTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "mp.jwt.verify.publickey.location", TestTokens.PUBLIC_KEY_LOCATION,
                "mp.jwt.verify.issuer", TestTokens.ISSUER,
                "mp.jwt.verify.audiences", TestTokens.AUDIENCE,
                "ocore.service-signing-key", TestTokens.SERVICE_SIGNING_KEY);
    }

    @Override
    public void stop() {
        // nothing to stop
    }
}
