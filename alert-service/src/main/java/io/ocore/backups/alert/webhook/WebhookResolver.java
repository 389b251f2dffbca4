package io.ocore.backups.alert.webhook;

import io.ocore.backups.platform.storage.HostResolver;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The DNS behind webhook URLs: the system resolver; a bean so a test can play a name that rebinds. */
@ApplicationScoped
public class WebhookResolver implements HostResolver {

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        return HostResolver.SYSTEM.resolve(host);
    }
}
