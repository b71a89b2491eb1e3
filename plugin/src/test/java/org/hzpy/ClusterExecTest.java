package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** exec defines code on every member of the cluster: those there now, and those that join later. */
@ExtendWith(Invariants.class)
class ClusterExecTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();
    private final Py onA = TestMembers.py(a);
    private final Py onB = TestMembers.py(b);

    @Test
    void memberExec_isCallableOnTheOtherMemberAtOnce() {
        String name = uniqueName();

        onA.exec("def " + name + "():\n    return 'from a'");

        assertThat(onB.call("__main__", name)).isEqualTo("from a");
    }

    @Test
    void execs_areAppliedInTheOrderGiven() {
        String list = uniqueName();

        onA.exec(list + " = []");
        onB.exec(list + ".append('first')");
        onA.exec(list + ".append('second')");

        assertThat(onA.eval(list)).isEqualTo(java.util.List.of("first", "second"));
        assertThat(onB.eval(list)).isEqualTo(java.util.List.of("first", "second"));
    }

    @Test
    void failingExec_isRecordedNowhere() {
        String name = uniqueName();
        int before = a.getMap("hzpy.exec-log").size();

        PythonException e = catchThrowableOfType(PythonException.class,
                () -> onA.exec(name + " = 1\nraise RuntimeError('not this one')"));

        assertThat(e.pythonType()).isEqualTo("RuntimeError");
        assertThat(a.getMap("hzpy.exec-log").size()).isEqualTo(before);
        assertThat(onB.eval("'" + name + "' in globals()")).isEqualTo(false);
    }

    @Test
    void exec_reachesAMemberThatJoinsLater_evenAfterTheMemberThatRanItLeft() {
        // Given a definition made on a member that then leaves the cluster
        String name = uniqueName();
        HazelcastInstance c = TestMembers.startOwn("cluster-c");
        try {
            TestMembers.py(c).exec("def " + name + "():\n    return 'defined on c'");
        } finally {
            c.shutdown();
        }

        // When another member joins afterwards
        HazelcastInstance d = TestMembers.startOwn("cluster-c");
        try {
            assertThat(d.getCluster().getMembers()).as("the members the joiner sees").hasSize(3);
            // Then it has the definition, as do the members that were there all along
            assertThat(TestMembers.py(d).call("__main__", name)).isEqualTo("defined on c");
            assertThat(onA.call("__main__", name)).isEqualTo("defined on c");
            assertThat(onB.call("__main__", name)).isEqualTo("defined on c");
        } finally {
            d.shutdown();
        }
    }

    @Test
    void fullExecLog_refusesTheNextDefinition_withTheLimit() {
        HazelcastInstance member = TestMembers.startOwn("exec-limit");
        try {
            Py py = TestMembers.py(member);
            py.exec("x1 = 1");
            py.exec("x2 = 2");

            PyResourceException e = catchThrowableOfType(PyResourceException.class, () -> py.exec("x3 = 3"));

            assertThat(e).hasMessageContaining("hzpy.exec-log-limit=2");
            assertThat(py.eval("'x3' in globals()")).isEqualTo(false);
        } finally {
            member.shutdown();
        }
    }

    private static String uniqueName() {
        return "cluster_" + UUID.randomUUID().toString().replace('-', '_');
    }
}
