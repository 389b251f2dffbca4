package io.ocore.backups.platform.storage;

import java.net.UnknownHostException;

/**
 * A host resolved to an address the {@link EndpointGuard} refuses. An {@link UnknownHostException}
 * so it can leave a DNS-resolver callback (Apache HttpClient's); callers check for it first.
 */
public final class BlockedAddressException extends UnknownHostException {

    public BlockedAddressException(String reason) {
        super(reason);
    }
}
