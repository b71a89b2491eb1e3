package org.hzpy.support;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.Py;
import org.hzpy.PyCall;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Runs in a JVM of its own with a small heap (MemoryGuardTest starts it): a member whose IMap data,
 * not Python, fills the heap past its memory guard (75%). Prints one {@code KEY value} line per
 * result: whether Python still serves, and the collections the JVM ran while the member sat idle.
 */
public final class DataHeavyMember {
    private static final int MB = 1024 * 1024;

    private DataHeavyMember() {
    }

    public static void main(String[] args) throws Exception {
        HazelcastInstance member = TestMembers.startOwn("memory-guard");
        try {
            Py py = TestMembers.py(member);
            py.call("hardening", "echo", "warm");
            // the member's own data: 1 MB values until the heap live after a collection is past 80%
            IMap<Integer, byte[]> data = member.getMap("bulk");
            long max = Runtime.getRuntime().maxMemory();
            int n = 0;
            while (liveAfterGc() < 0.80 * max) {
                for (int i = 0; i < 16; i++) {
                    data.set(n++, new byte[MB]);
                }
            }
            System.out.println("FILLED " + liveAfterGc() * 100 / max + "%");

            // an idle member over the limit: the guard must not collect in a loop
            long fullBefore = fullCollections();
            long guardGcsBefore = py.stats().memoryGuardGcs();
            Thread.sleep(Duration.ofSeconds(6).toMillis()); // an observation window, not a synchronization
            System.out.println("IDLE_FULL_GCS " + (fullCollections() - fullBefore));
            System.out.println("IDLE_GUARD_GCS " + (py.stats().memoryGuardGcs() - guardGcsBefore));

            // Python that allocates little is served
            try {
                System.out.println("CALL " + py.call(PyCall.of("hardening", "echo", "served").timeout(Duration.ofSeconds(30))));
            } catch (RuntimeException e) {
                System.out.println("CALL " + e.getClass().getName() + " " + e.getMessage());
            }
            System.out.println("REFUSING " + py.stats().callsRefusedBecause());
            System.out.println("ENTRIES " + data.size());
        } finally {
            member.shutdown();
        }
        System.exit(0);
    }

    private static long liveAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Full (old-generation) collections so far: the kind a System.gc() runs. */
    private static long fullCollections() {
        long n = 0;
        for (GarbageCollectorMXBean c : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = c.getName();
            if ((name.contains("Old") || name.contains("MarkSweep")) && !name.contains("Concurrent")) {
                n += c.getCollectionCount();
            }
        }
        return n;
    }
}
