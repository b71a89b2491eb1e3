package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a client writes straight into hzpy's deployment maps never runs: Hazelcast's open-source
 * edition lets any client write any IMap, so members act only on entries a member signed. The
 * client here belongs to the deploy test cluster ({@code members/deploy-*.yaml}).
 */
class DeployTrustTest {
    private static final String MAP = "hzpy.modules";
    private static final String FILES = "hzpy.module-files";

    private static Py onA;
    private static Py onB;
    private static HazelcastInstance client;

    @BeforeAll
    static void cluster() {
        HazelcastInstance a = TestMembers.deployA();
        TestMembers.deployB();
        onA = TestMembers.py(a);
        onB = TestMembers.py(TestMembers.deployB());
        client = TestMembers.clientOf(a);
    }

    @Test
    void aPointerAndFilesAClientWritesItself_areNeverImported() {
        // Given a client that writes a deployment's entries into hzpy's maps by hand, as a member would lay them out
        IMap<String, Object> map = client.getMap(MAP);
        Map<String, byte[]> files = new HashMap<>(Map.of("forged.py", "def run():\n    return 'forged'\n".getBytes(StandardCharsets.UTF_8)));
        client.getMap(FILES).set("forged@1", new ArrayList<>(List.of("0".repeat(64), files)));
        map.set("forged@1", new ArrayList<>(List.of("forged", 1L, 30L, "0".repeat(64), new ArrayList<>(List.of("forged")),
                "member 127.0.0.1:6181", 0L, "bm90IGEgbWFj")));
        map.set("forged", new ArrayList<>(List.of("forged", 1L, 1L, 1L, new ArrayList<>(List.of(1L)), "bm90IGEgbWFj")));

        // When members next apply what the cluster holds (a real deploy makes every member do so)
        onA.modules().deploy("honest", Map.of("honest.py", "X = 1\n"));

        // Then the forged module imports nowhere, and no list shows it
        assertThatThrownBy(() -> onA.call("forged", "run")).isInstanceOf(PythonException.class).hasMessageContaining("forged");
        assertThatThrownBy(() -> onB.call("forged", "run")).isInstanceOf(PythonException.class).hasMessageContaining("forged");
        assertThat(onA.modules().list()).noneMatch(i -> i.name().equals("forged"));
    }

    @Test
    void filesAClientReplacesUnderASignedVersion_areRefused() {
        // Given a deployment, whose files a client then replaces under the same key
        onA.modules().deploy("swapped", Map.of("swapped.py", "def run():\n    return 'original'\n"));
        @SuppressWarnings("unchecked")
        List<Object> stored = (List<Object>) client.getMap(FILES).get("swapped@1");
        Map<String, byte[]> evil = new HashMap<>(Map.of("swapped.py", "def run():\n    return 'evil'\n".getBytes(StandardCharsets.UTF_8)));
        client.getMap(FILES).set("swapped@1", new ArrayList<>(List.of(stored.get(0), evil)));

        // When a member has to read them again (a rollback to that version after a second one)
        onA.modules().deploy("swapped", Map.of("swapped.py", "def run():\n    return 'second'\n"));

        // Then the rollback is refused, saying the files are not the ones deployed, and the second version stays
        assertThatThrownBy(() -> onA.modules().rollback("swapped", 1))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("SHA-256");
        assertThat(onA.call("swapped", "run")).isEqualTo("second");
        assertThat(onB.call("swapped", "run")).isEqualTo("second");
    }

    @Test
    void anOlderSignedPointerAClientPutsBack_changesNothing() throws Exception {
        // Given two versions, and the first version's pointer as the client read it then
        onA.modules().deploy("replayed", Map.of("replayed.py", "V = 'one'\n\ndef v():\n    return V\n"));
        Object firstPointer = client.getMap(MAP).get("replayed");
        onA.modules().deploy("replayed", Map.of("replayed.py", "V = 'two'\n\ndef v():\n    return V\n"));

        // When the client writes the old pointer back, and the members see the change
        client.getMap(MAP).set("replayed", firstPointer);
        onA.modules().deploy("honest-after-replay", Map.of("honest_after_replay.py", "X = 1\n"));

        // Then both members stay on version two
        assertThat(onA.call("replayed", "v")).isEqualTo("two");
        assertThat(onB.call("replayed", "v")).isEqualTo("two");
    }

    @Test
    void aClientDeletingAPointer_removesNothing() {
        // Given a deployment
        onA.modules().deploy("kept", Map.of("kept.py", "def v():\n    return 'kept'\n"));

        // When a client deletes its pointer and the members next apply what the cluster holds
        client.getMap(MAP).delete("kept");
        onA.modules().deploy("honest-after-delete", Map.of("honest_after_delete.py", "X = 1\n"));

        // Then the members still import it
        assertThat(onA.call("kept", "v")).isEqualTo("kept");
        assertThat(onB.call("kept", "v")).isEqualTo("kept");
    }
}
