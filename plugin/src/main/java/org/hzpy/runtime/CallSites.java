package org.hzpy.runtime;

import org.graalvm.polyglot.Value;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The call-site cache of one context: a compiled {@code call_site} per module and function, made
 * on its first call, so that a call does not look its function up again. Bounded: past
 * {@link #MAX} functions, calls go through the generic {@code invoke}. Dropped when module scopes
 * change (their modules may go). Thread-safe.
 */
final class CallSites {
    private static final int MAX = 1024;

    private final Value makeCallSite;
    private final Map<Key, Value> sites = new ConcurrentHashMap<>();
    /** One step per {@link #clear}: a site made from before a clear (a module since replaced) is not kept. */
    private volatile long clears;

    CallSites(Value makeCallSite) {
        this.makeCallSite = makeCallSite;
    }

    /** The call site of module.function (made now if new: it imports the module, whose errors are the call's), or null. */
    Value get(String module, String function) {
        Key key = new Key(module, function);
        Value site = sites.get(key);
        if (site == null && sites.size() < MAX) {
            long clearsBefore = clears;
            site = makeCallSite.execute(module, function);
            if (clears == clearsBefore) {
                Value earlier = sites.putIfAbsent(key, site);
                site = earlier != null ? earlier : site;
            }
        }
        return site;
    }

    void clear() {
        clears++; // under the context's maintenance lock: one writer
        sites.clear();
    }

    private record Key(String module, String function) {
    }
}
