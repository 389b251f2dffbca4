package io.ocore.backups.platform.storage;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS stand-in for tests: each name answers its scripted addresses in turn (the last one
 * repeating), so a test can play a name that rebinds after its first answer. Unknown names do
 * not resolve. Counts the lookups per name.
 */
public final class ScriptedResolver implements HostResolver {

    private final Map<String, List<String>> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();

    /** {@code host} answers {@code first}, then {@code then...} on later lookups. */
    public ScriptedResolver answer(String host, String first, String... then) {
        List<String> all = new java.util.ArrayList<>();
        all.add(first);
        all.addAll(List.of(then));
        answers.put(host, all);
        return this;
    }

    public int lookups(String host) {
        AtomicInteger n = lookups.get(host);
        return n == null ? 0 : n.get();
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        int n = lookups.computeIfAbsent(host, h -> new AtomicInteger()).getAndIncrement();
        List<String> script = answers.get(host);
        if (script == null) {
            throw new UnknownHostException(host);
        }
        String literal = script.get(Math.min(n, script.size() - 1));
        return new InetAddress[] {InetAddress.getByAddress(host, InetAddress.getByName(literal).getAddress())};
    }
}
