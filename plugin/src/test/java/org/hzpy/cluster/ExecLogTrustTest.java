package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.Py;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster's exec log lives in an IMap that any client can write: only what a member recorded
 * ever runs, and nothing else in the map stalls the log or a member's start.
 */
@ExtendWith(Invariants.class)
class ExecLogTrustTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();
    private final Py onA = TestMembers.py(a);
    private final Py onB = TestMembers.py(b);
    private final IMap<Object, Object> logSeenByClient = TestMembers.clientOf(a).getMap(ClusterExecLog.MAP);

    @Test
    void entriesAClientWrites_runOnNoMember_nowOrWhenOneJoins() {
        // Given a client that writes code into the next numbers of the exec log, in the log's old
        // shape and in its new one with a made-up signature
        String marker = unique("owned");
        long next = newestKey() + 1;
        logSeenByClient.put(next, new ArrayList<>(List.of(UUID.randomUUID().toString(), setMarker(marker), 1_000_000_000L)));
        logSeenByClient.put(next + 1, new ArrayList<>(List.of(UUID.randomUUID().toString(), setMarker(marker), 1_000_000_000L,
                UUID.randomUUID().toString(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")));

        // When a member records an exec after them, and another member joins
        String defined = unique("defined");
        onA.exec("def " + defined + "():\n    return 'a member defined it'");
        HazelcastInstance joiner = TestMembers.startOwn("cluster-defaults");
        try {
            Py onJoiner = TestMembers.py(joiner);

            // Then the member's exec reached every member, the client's code ran on none
            for (Py py : List.of(onA, onB, onJoiner)) {
                assertThat(py.call("__main__", defined)).isEqualTo("a member defined it");
                assertThat(markerSet(py, marker)).as("client code ran").isFalse();
            }
        } finally {
            joiner.shutdown();
        }
    }

    @Test
    void junkInTheLog_stallsNoLaterExec_andNoJoiningMember() {
        // Given values of every wrong kind under the log's keys, and keys of the wrong kind
        long next = newestKey() + 1;
        logSeenByClient.put(next, "not an entry");
        logSeenByClient.put(next + 1, new ArrayList<>(List.of(42L, 7L)));
        logSeenByClient.put(Long.MAX_VALUE - 1, "far away");
        logSeenByClient.put("a string key", List.of("x"));

        // When members record execs after them
        String first = unique("first");
        String second = unique("second");
        onA.exec(first + " = 1");
        onB.exec(second + " = 2");

        // Then every member has both, and a member joining now starts and has them too
        assertThat(onA.eval(first + " + " + second)).isEqualTo(3L);
        assertThat(onB.eval(first + " + " + second)).isEqualTo(3L);
        HazelcastInstance joiner = TestMembers.startOwn("cluster-defaults");
        try {
            assertThat(TestMembers.py(joiner).eval(first + " + " + second)).isEqualTo(3L);
        } finally { // the junk first: a client's delete sent to the joiner as it shuts down fails (TargetDisconnected)
            logSeenByClient.delete(Long.MAX_VALUE - 1);
            logSeenByClient.delete("a string key");
            joiner.shutdown();
        }
    }

    @Test
    void anEntryCopiedToAnotherNumber_isNotAppliedAgain() {
        // Given a real entry, which appends to a list, copied by a client to the next number
        String list = unique("appended");
        onA.exec(list + " = []");
        onA.exec(list + ".append(1)");
        long appended = newestKey();
        logSeenByClient.put(appended + 1, logSeenByClient.get(appended));

        // When a member records the next exec after the copy
        onA.exec(list + ".append(2)");

        // Then every member applied the append once
        assertThat(onB.eval(list)).isEqualTo(List.of(1L, 2L));
        assertThat(onA.eval(list)).isEqualTo(List.of(1L, 2L));
    }

    @Test
    void aRetriedAppend_recordsTheExecOnce() {
        // Given the entry for this member's next exec already in place, as after a putIfAbsent that
        // was applied before its partition's owner died (Hazelcast then retries the same put)
        // (record holds the log's lock through its put and its retries, so the entry-added event of
        // the first attempt cannot be applied in between: the test holds that lock the same way)
        ClusterExecLog log = HzpyPlugin.execLogOf(a);
        String id = UUID.randomUUID().toString();
        String source = unique("retried") + " = 1";
        long n;
        long recorded;
        int sizeBefore;
        synchronized (log) {
            n = log.nextNumber();
            logSeenByClient.put(n, log.signed(n, source, 1_000_000_000L, id));
            sizeBefore = logSeenByClient.size();

            // When the retry runs
            recorded = log.record(source, 1_000_000_000L, id);
        }

        // Then it found its own entry: one entry, at the same number
        assertThat(recorded).isEqualTo(n);
        assertThat(logSeenByClient.size()).isEqualTo(sizeBefore);
    }

    private long newestKey() {
        long newest = 0;
        for (Object k : logSeenByClient.keySet()) {
            if (k instanceof Long n && n < Long.MAX_VALUE / 2) {
                newest = Math.max(newest, n);
            }
        }
        return newest;
    }

    private static String setMarker(String marker) {
        return "import builtins\nsetattr(builtins, '" + marker + "', True)";
    }

    private static boolean markerSet(Py py, String marker) {
        return (Boolean) py.eval("hasattr(__import__('builtins'), '" + marker + "')");
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace('-', '_');
    }
}
