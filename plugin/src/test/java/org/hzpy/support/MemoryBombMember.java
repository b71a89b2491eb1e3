package org.hzpy.support;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyResourceException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Runs in a JVM of its own with a small heap (MemoryGuardTest starts it): a member, a Python
 * memory bomb, then checks that the member is healthy. Prints one {@code KEY value} line per result.
 */
public final class MemoryBombMember {
    private MemoryBombMember() {
    }

    public static void main(String[] args) throws Exception {
        AtomicInteger outOfMemory = new AtomicInteger();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof OutOfMemoryError) {
                outOfMemory.incrementAndGet();
            }
        });
        Logger.getLogger("").addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getThrown() instanceof OutOfMemoryError || String.valueOf(r.getMessage()).contains("OutOfMemoryError")) {
                    outOfMemory.incrementAndGet();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        HazelcastInstance member = TestMembers.startOwn("memory-guard");
        try {
            Py py = TestMembers.py(member);
            try {
                Object r = py.call(PyCall.of("hardening", "memory_bomb").timeout(Duration.ofMinutes(3)));
                System.out.println("OUTCOME returned " + r);
            } catch (RuntimeException e) {
                System.out.println("OUTCOME " + e.getClass().getName() + " " + e.getMessage());
            }
            Object after = null;
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (after == null && System.nanoTime() < until) {
                try {
                    after = py.call("hardening", "echo", "alive");
                } catch (PyResourceException e) { // refused until a collection shows the memory is back
                    Thread.sleep(100);
                }
            }
            System.out.println("AFTER " + after);
            IMap<String, String> map = member.getMap("health");
            map.put("k", "v");
            System.out.println("IMAP " + map.get("k"));
            System.out.println("PERMITS " + py.semaphore().current());
            System.out.println("TRIPS " + py.stats().memoryGuardTrips());
            System.out.println("OOM " + outOfMemory.get());
        } finally {
            member.shutdown();
        }
        System.exit(0);
    }
}
