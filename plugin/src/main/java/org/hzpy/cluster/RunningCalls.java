package org.hzpy.cluster;

import org.hzpy.runtime.StopToken;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The remote calls running on this member, by the id their caller gave them, each with the
 * {@link StopToken} that stops it: a cancellation reaches the call it names and no other, wherever
 * that call is (waiting for a permit or a context, or in Python). A cancellation that arrives
 * before its call is remembered (the most recent {@value #REMEMBERED} of them), so the call then
 * never starts. A call id starts with its caller's UUID and a colon ({@link RemoteRuntime}), which
 * is how a caller that left ({@link #cancelCallsOf}) has its calls stopped. Thread-safe.
 */
final class RunningCalls {
    private static final int REMEMBERED = 10_000;
    /** How many callers that left are remembered, so that their calls still in flight never start. */
    private static final int CALLERS_REMEMBERED = 1_000;

    private final Map<String, StopToken> running = new ConcurrentHashMap<>();
    /** The streams this member serves to callers elsewhere: they end, as calls do, when their caller leaves. */
    private final RemoteStreams streams = new RemoteStreams();
    private volatile String address;
    /** Guarded by itself, as is {@link #goneCallers}. */
    private final Map<String, Boolean> cancelledEarly = lru(REMEMBERED);
    private final Map<String, Boolean> goneCallers = lru(CALLERS_REMEMBERED);
    /** Whether {@link #goneCallers} has any entry: until then, starting a call looks at no prefix. */
    private volatile boolean anyCallerGone;

    private static Map<String, Boolean> lru(int size) {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > size;
            }
        };
    }

    /** The streams this member serves to callers elsewhere. */
    RemoteStreams streams() {
        return streams;
    }

    /** The member's address as {@code host:port} text, made once. */
    String address(com.hazelcast.core.HazelcastInstance member) {
        String a = address;
        if (a == null) {
            a = member.getCluster().getLocalMember().getAddress().toString();
            address = a;
        }
        return a;
    }

    /**
     * Registers the call {@code id}: the token that stops it, or null if it was cancelled before it
     * started (or its caller left). Pair with {@link #end}.
     */
    StopToken start(String id) {
        synchronized (cancelledEarly) {
            if (cancelledEarly.remove(id) != null || (anyCallerGone && goneCallers.containsKey(callerOf(id)))) {
                return null;
            }
            StopToken stop = new StopToken();
            running.put(id, stop);
            return stop;
        }
    }

    void end(String id) {
        running.remove(id);
    }

    /** Stops the call {@code id}: true if it runs here now, false (and the id remembered) if it has not started. */
    boolean cancel(String id) {
        synchronized (cancelledEarly) {
            StopToken stop = running.get(id);
            if (stop == null) {
                cancelledEarly.put(id, Boolean.TRUE);
                return false;
            }
            stop.cancel();
            return true;
        }
    }

    /**
     * Stops every call here made by {@code caller} (a client or member UUID that left), keeps
     * those still in flight to this member from starting, and ends its streams here.
     *
     * @return how many running calls were stopped and streams ended
     */
    int cancelCallsOf(String caller) {
        String prefix = caller + ":";
        synchronized (cancelledEarly) {
            goneCallers.put(caller, Boolean.TRUE);
            anyCallerGone = true;
            int stopped = 0;
            for (Map.Entry<String, StopToken> e : running.entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    e.getValue().cancel();
                    stopped++;
                }
            }
            return stopped + streams.closeStreamsOf(caller);
        }
    }

    /** {@code caller} (a client that reconnected) may have calls run here again. */
    void callerBack(String caller) {
        synchronized (cancelledEarly) {
            goneCallers.remove(caller);
        }
    }

    /** The caller's UUID in a call id, or the whole id when it has none. */
    static String callerOf(String id) {
        int colon = id.indexOf(':');
        return colon < 0 ? id : id.substring(0, colon);
    }
}
