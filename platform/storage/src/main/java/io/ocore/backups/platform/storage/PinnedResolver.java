package io.ocore.backups.platform.storage;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves each host once, checks every address with the {@link EndpointGuard} and answers those
 * same addresses ever after, so every connection goes where the guard looked (no DNS rebinding
 * between the check and a later connection). One per storage instance or request. A failed lookup
 * is not remembered: the next call tries again, and is checked again.
 */
public final class PinnedResolver implements HostResolver {

    private final boolean allowPrivate;
    private final HostResolver resolver;
    private final Map<String, List<InetAddress>> pinned = new ConcurrentHashMap<>();

    public PinnedResolver(boolean allowPrivate, HostResolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String key = EndpointGuard.normalizeHost(host).toLowerCase(Locale.ROOT);
        List<InetAddress> addresses = pinned.get(key);
        if (addresses == null) {
            synchronized (this) {
                addresses = pinned.get(key);
                if (addresses == null) {
                    addresses = EndpointGuard.resolve(key, allowPrivate, resolver);
                    pinned.put(key, addresses);
                }
            }
        }
        return addresses.toArray(InetAddress[]::new);
    }
}
