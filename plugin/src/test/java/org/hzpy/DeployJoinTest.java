package org.hzpy;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Await;
import org.hzpy.support.ChildMember;
import org.hzpy.support.MemberProcess;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deployments reach members that were not there when they were made: one that joins later, and one
 * killed and started again meanwhile ({@code members/deploy-join.yaml}, a cluster of the test's own).
 */
class DeployJoinTest {
    private static final Duration JOIN_WAIT = Duration.ofMinutes(3);

    private final List<HazelcastInstance> members = new ArrayList<>();
    private MemberProcess child;

    @AfterEach
    void stop() throws InterruptedException {
        if (child != null) {
            child.kill();
        }
        members.forEach(m -> m.getLifecycleService().terminate());
    }

    private HazelcastInstance startMember() {
        HazelcastInstance m = Hazelcast.newHazelcastInstance(TestMembers.config("members/deploy-join.yaml"));
        members.add(m);
        return m;
    }

    private static Map<String, String> greeting(String version) {
        return Map.of("greeting.py", "def hello(name):\n    return '" + version + ": ' + name\n");
    }

    @Test
    void aMemberThatJoinsAfterTwoDeploys_importsTheCurrentOne_andRunsExecCodeThatUsesIt() {
        // Given three members, two versions deployed, and exec code that imports the deployment
        HazelcastInstance first = startMember();
        startMember();
        startMember();
        Await.until(JOIN_WAIT, "three members", () -> first.getCluster().getMembers().size() == 3);
        Py py = TestMembers.py(first);
        py.modules().deploy("greeting", greeting("one"));
        py.modules().deploy("greeting", greeting("two"));
        py.exec("import greeting\n\ndef greet_via_exec(name):\n    return greeting.hello(name)\n");

        // When a fourth member joins
        HazelcastInstance late = startMember();
        Py onLate = TestMembers.py(late);

        // Then it imports the current version, and the exec log's code that uses it runs there
        assertThat(onLate.call("greeting", "hello", "x")).isEqualTo("two: x");
        assertThat(onLate.call("__main__", "greet_via_exec", "y")).isEqualTo("two: y");
        String lateAddress = late.getCluster().getLocalMember().getAddress().toString();
        assertThat(py.modules().list()).singleElement().satisfies(info -> {
            assertThat(info.version()).isEqualTo(2L);
            assertThat(info.loadedBy()).hasSize(4).contains(lateAddress);
        });
    }

    @Test
    void aMemberKilledAndStartedAgain_importsTheVersionDeployedWhileItWasDown() throws Exception {
        // Given two members here, one in a JVM of its own, and version one deployed
        HazelcastInstance first = startMember();
        startMember();
        child = MemberProcess.start(300, ChildMember.class, "deploy-join", "0");
        child.awaitLine("READY", (int) JOIN_WAIT.toSeconds());
        Await.until(JOIN_WAIT, "three members", () -> first.getCluster().getMembers().size() == 3);
        Py py = TestMembers.py(first);
        py.modules().deploy("greeting", greeting("one"));
        assertThat(py.call(PyCall.of("greeting", "hello", "a").key(keyOwnedBy(first, childMember(first))))).isEqualTo("one: a");

        // When it is killed, version two is deployed, and it starts again
        child.kill();
        Await.until(JOIN_WAIT, "the killed member gone", () -> first.getCluster().getMembers().size() == 2);
        py.modules().deploy("greeting", greeting("two"));
        child = MemberProcess.start(300, ChildMember.class, "deploy-join", "0");
        child.awaitLine("READY", (int) JOIN_WAIT.toSeconds());
        Await.until(JOIN_WAIT, "the member back", () -> first.getCluster().getMembers().size() == 3);

        // Then it runs version two
        assertThat(py.call(PyCall.of("greeting", "hello", "b").key(keyOwnedBy(first, childMember(first))))).isEqualTo("two: b");
    }

    /** The member of the cluster that is not in this JVM. */
    private Member childMember(HazelcastInstance here) {
        List<java.util.UUID> local = members.stream().map(m -> m.getCluster().getLocalMember().getUuid()).toList();
        return here.getCluster().getMembers().stream().filter(m -> !local.contains(m.getUuid())).findFirst()
                .orElseThrow(() -> new AssertionError("no member outside this JVM"));
    }

    private static String keyOwnedBy(HazelcastInstance here, Member owner) {
        Await.until(JOIN_WAIT, "partitions settled", () -> here.getPartitionService().isClusterSafe());
        for (int i = 0; ; i++) {
            String key = "k" + i;
            Member m = here.getPartitionService().getPartition(key).getOwner();
            if (m != null && m.getUuid().equals(owner.getUuid())) {
                return key;
            }
        }
    }
}
