package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.Py;
import org.hzpy.support.Await;
import org.hzpy.support.FailingReads;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A member that cannot read an exec log entry for a while applies it later, in its place: nothing is skipped. */
@ExtendWith(Invariants.class)
class ExecLogReadFailureTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();
    private final Py onA = TestMembers.py(a);
    private final Py onB = TestMembers.py(b);

    @Test
    void anEntryTheMapFailsToRead_isAppliedOnceItAnswers_beforeTheEntriesAfterIt() {
        // Given an exec log whose reads of one entry fail (as when its partition does not answer)
        String first = unique("first");
        String second = unique("second");
        IMap<Object, Object> log = a.getMap(ClusterExecLog.MAP);
        FailReadsOf.marker = first + " = []";
        String interceptor = log.addInterceptor(new FailReadsOf());
        try {
            // When a member records that entry and one after it
            onA.exec(first + " = []");
            onA.exec(second + " = " + first + ".append('after')");
        } finally { // and the map answers again
            FailReadsOf.marker = null;
            log.removeInterceptor(interceptor);
        }

        // Then the other member applies both, in their order
        Await.until(Duration.ofSeconds(30), "the other member to apply the entry it could not read",
                () -> Boolean.TRUE.equals(onB.eval("'" + second + "' in globals()")));
        assertThat(onB.eval(first)).isEqualTo(java.util.List.of("after"));
    }

    /** Fails every read of a log entry whose source names {@link #marker}. Members share this JVM, so a static serves. */
    static final class FailReadsOf extends FailingReads {
        static volatile String marker;

        @Override
        protected boolean fails(Object value) {
            String m = marker;
            return m != null && value.toString().contains(m);
        }
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace('-', '_');
    }
}
