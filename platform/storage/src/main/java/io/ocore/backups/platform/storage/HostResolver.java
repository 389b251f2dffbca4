package io.ocore.backups.platform.storage;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Host name to addresses; the system resolver in production, a scripted one in tests (DNS rebinding). */
@FunctionalInterface
public interface HostResolver {

    HostResolver SYSTEM = InetAddress::getAllByName;

    /** Every address of {@code host}; {@link UnknownHostException} when it has none. */
    InetAddress[] resolve(String host) throws UnknownHostException;
}
