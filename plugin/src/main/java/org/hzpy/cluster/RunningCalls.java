package org.hzpy.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The remote calls running on this member, by the id their caller gave them, so that a caller's
 * cancellation reaches the thread that runs the call. A cancellation that arrives before its call
 * is remembered (the most recent {@value #REMEMBERED} of them), so the call then never starts.
 * Thread-safe.
 */
final class RunningCalls {
    private static final int REMEMBERED = 10_000;

    private final Map<String, Thread> running = new ConcurrentHashMap<>();
    private volatile String address;
    private final Map<String, Boolean> cancelledEarly = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** The member's address as {@code host:port} text, made once. */
    String address(com.hazelcast.core.HazelcastInstance member) {
        String a = address;
        if (a == null) {
            a = member.getCluster().getLocalMember().getAddress().toString();
            address = a;
        }
        return a;
    }

    /** Registers the current thread for {@code id}; false if the call was cancelled before it started. */
    boolean start(String id) {
        synchronized (cancelledEarly) {
            if (cancelledEarly.remove(id) != null) {
                return false;
            }
            running.put(id, Thread.currentThread());
            return true;
        }
    }

    void end(String id) {
        running.remove(id);
    }

    /** The thread running {@code id}, or null (and the id remembered) if it has not started. */
    Thread cancel(String id) {
        synchronized (cancelledEarly) {
            Thread t = running.get(id);
            if (t == null) {
                cancelledEarly.put(id, Boolean.TRUE);
            }
            return t;
        }
    }
}
