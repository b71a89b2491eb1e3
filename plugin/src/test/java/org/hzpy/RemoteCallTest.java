package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Await;
import org.hzpy.support.GraalPyFreeClient;
import org.hzpy.support.Invariants;
import org.hzpy.support.MemberProcess;
import org.hzpy.support.PythonLog;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A client's calls run on the members of a 2-member cluster as executor tasks, with the results and
 * exceptions a member's own calls give. Each member's module path has its own {@code whoami.py}, so
 * a call says which member ran it.
 */
@ExtendWith(Invariants.class)
class RemoteCallTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();
    private final Py onA = TestMembers.py(a);
    private final Py onB = TestMembers.py(b);
    private final Py client = Py.on(TestMembers.clientOf(a));

    @Test
    void clientCall_returnsTheResult() {
        assertThat(client.isClient()).isTrue();
        assertThat(client.call("testmod", "add", 2, 3)).isEqualTo(5L);
        assertThat(client.call(PyCall.of("testmod", "add", 2).kwargs(Map.of("b", 40)))).isEqualTo(42L);
    }

    @Test
    void unkeyedClientCalls_runOnBothMembers() {
        Set<Object> servedBy = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            servedBy.add(client.call("whoami", "name"));
        }
        assertThat(servedBy).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void unkeyedClientCalls_takeTurns_whenTheMembersRoomDiffersByOnePermit() throws Exception {
        // Given member a with one permit less than b (as a call of its own would leave it)
        onA.semaphore().setMaxConcurrent(onA.settings().maxConcurrent() - 1);
        try {
            String aUuid = a.getCluster().getLocalMember().getUuid().toString();
            int lowered = onA.settings().maxConcurrent() - 1;
            Await.until(Duration.ofSeconds(10), "a has published its figure (every 50 ms)",
                    () -> Integer.valueOf(lowered).equals(TestMembers.clientOf(a).getMap("hzpy.member-load").get(aUuid)));

            // When the client makes quick unkeyed calls one after another (ten at a time, until its
            // routing has read the figures, which it does in the background at most every 100 ms)
            // Then both members served some: one permit apart counts as equal, since the figures are
            // old enough to still show the client's own call that just ended
            Await.until(Duration.ofSeconds(10), "both members served some of ten quick calls", () -> {
                Set<Object> servedBy = new HashSet<>();
                for (int i = 0; i < 10; i++) {
                    servedBy.add(client.call("whoami", "name"));
                }
                return servedBy.containsAll(Set.of("a", "b"));
            });
        } finally {
            onA.semaphore().setMaxConcurrent(onA.settings().maxConcurrent());
        }
    }

    @Test
    void unkeyedClientCalls_goToTheMemberWithRoom() throws Exception {
        // Given member a with no permit free (its limit lowered to 1 and taken), member b idle
        onA.semaphore().setMaxConcurrent(1);
        try {
            CompletableFuture<Object> holder = onA.callAsync(PyCall.of("testmod", "sleep_then", 15.0, "held"))
                    .toCompletableFuture();
            awaitServedBy("b"); // once the members' published load has reached the client's routing

            // When the client makes unkeyed calls
            List<Object> servedBy = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                servedBy.add(client.call("whoami", "name"));
            }

            // Then each went to member b, and none was refused by member a's full limit
            assertThat(servedBy).containsOnly("b");
            assertThat(holder.get(1, TimeUnit.MINUTES)).isEqualTo("held");
        } finally {
            onA.semaphore().setMaxConcurrent(onA.settings().maxConcurrent());
        }
    }

    /**
     * Calls until {@code name} served 5 calls in a row (at most 10 s): the client routes by fresh load
     * figures. Calls in turns never get there (every other one goes to the full member).
     */
    private void awaitServedBy(String name) {
        int[] inARow = {0};
        Await.until(Duration.ofSeconds(10), name + " served 5 unkeyed calls in a row", () -> {
            try {
                inARow[0] = name.equals(client.call("whoami", "name")) ? inARow[0] + 1 : 0;
            } catch (OverloadedException e) {
                inARow[0] = 0; // the figures the client routes by are still from before
            }
            return inARow[0] >= 5;
        });
    }

    @Test
    void keyedClientCall_runsOnTheKeysOwner() {
        for (int i = 0; i < 20; i++) {
            String key = "key-" + i;
            String owner = ownerName(key);

            assertThat(client.call(PyCall.of("whoami", "name").key(key))).as("served %s", key).isEqualTo(owner);
        }
    }

    @Test
    void keyedMemberCall_runsOnTheOwner_andLocallyWhenItOwnsTheKey() {
        for (int i = 0; i < 20; i++) {
            String key = "member-key-" + i;
            assertThat(onA.call(PyCall.of("whoami", "name").key(key))).as("served %s", key).isEqualTo(ownerName(key));
        }
        assertThat(onA.call("whoami", "name")).as("no key: the calling member").isEqualTo("a");
    }

    @Test
    void pythonError_reachesTheClientIntact_nonAsciiIncluded() {
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> client.call("testmod", "fail", "żółw ✓ 漢字"));

        assertThat(e.pythonType()).isEqualTo("ValueError");
        assertThat(e.message()).isEqualTo("żółw ✓ 漢字");
        assertThat(e.traceback()).contains("testmod.py", "in fail", "ValueError: żółw ✓ 漢字");
        assertThat(e.getCause()).isNull();
    }

    @Test
    void timeout_reachesTheClientAsPyTimeoutException() {
        PyTimeoutException e = catchThrowableOfType(PyTimeoutException.class,
                () -> client.call(PyCall.of("testmod", "spin").timeout(Duration.ofMillis(300))));

        assertThat(e).hasMessageContaining("testmod.spin() did not finish within 300 ms");
    }

    @Test
    void fullMemberLimit_reachesTheClientAsOverloadedException() throws Exception {
        // Given member a's limit at 1 and taken by a call of its own
        String key = keyOwnedBy("a");
        onA.semaphore().setMaxConcurrent(1);
        try {
            CompletableFuture<Object> holder = onA.callAsync(PyCall.of("testmod", "sleep_then", 1.0, "held"))
                    .toCompletableFuture();

            // When the client calls there
            OverloadedException e = catchThrowableOfType(OverloadedException.class,
                    () -> client.call(PyCall.of("testmod", "echo", 1).key(key)));

            // Then it is refused with the member's figures
            assertThat(e.current()).isEqualTo(1);
            assertThat(e.max()).isEqualTo(1);
            assertThat(holder.get(1, TimeUnit.MINUTES)).isEqualTo("held");
        } finally {
            onA.semaphore().setMaxConcurrent(onA.settings().maxConcurrent());
        }
    }

    @Test
    void clientAsyncCall_completesWithTheResultOrTheUnwrappedException() throws Exception {
        assertThat(client.callAsync(PyCall.of("testmod", "add", 1, 1)).toCompletableFuture().get(1, TimeUnit.MINUTES))
                .isEqualTo(2L);
        ExecutionException e = catchThrowableOfType(ExecutionException.class,
                () -> client.callAsync(PyCall.of("testmod", "fail", "async")).toCompletableFuture().get(1, TimeUnit.MINUTES));
        assertThat(e.getCause()).isInstanceOf(PythonException.class).hasMessage("ValueError: async");
    }

    @Test
    void clientExec_definesTheCodeOnEveryMember() {
        String name = "remote_def_" + UUID.randomUUID().toString().replace('-', '_');

        client.exec("def " + name + "(x):\n    return x * 3");

        assertThat(onA.call("__main__", name, 14)).isEqualTo(42L);
        assertThat(onB.call("__main__", name, 14)).isEqualTo(42L);
        assertThat(client.eval(name + "(2)")).isEqualTo(6L);
    }

    @Test
    void clientCallsToInternals_areRefused_whateverThePolicy() {
        assertThat(catchThrowableOfType(PySandboxException.class, () -> client.call("os", "getcwd")))
                .hasMessageContaining("os.getcwd() cannot be called from outside the member");
        assertThat(catchThrowableOfType(PySandboxException.class, () -> client.call("builtins", "exec", "1")))
                .hasMessageContaining("no setting allows it");
        assertThat(catchThrowableOfType(PySandboxException.class, () -> client.call("__main__", "eval", "1")))
                .hasMessageContaining("eval runs or reaches arbitrary code");
        assertThat(catchThrowableOfType(PySandboxException.class, () -> client.call("_hzpy_internal", "invoke")))
                .hasMessageContaining("runtime's internals");
    }

    @Test
    void defaultPolicy_refusesClientEvalAndModulesOffTheModulePath() {
        Py limited = Py.on(TestMembers.clientOf(TestMembers.remoteDefaults()));
        TestMembers.py(TestMembers.remoteDefaults());

        assertThat(catchThrowableOfType(PySandboxException.class, () -> limited.eval("1 + 1")))
                .hasMessageContaining("hzpy.remote-eval: true");
        assertThat(catchThrowableOfType(PySandboxException.class, () -> limited.exec("x = 1")))
                .hasMessageContaining("hzpy.remote-eval: true");
        assertThat(catchThrowableOfType(PySandboxException.class, () -> limited.call("json", "dumps", 1)))
                .hasMessageContaining("hzpy.remote-modules is module-path; add json");
        assertThat(limited.call("testmod", "add", 1, 2)).isEqualTo(3L);
    }

    @Test
    void cancellingAClientsAsyncCall_stopsItsPythonOnTheMember() throws Exception {
        // Given a client's call that loops forever on member a (its own timeout is far away) and is running
        String key = UUID.randomUUID().toString();
        CompletableFuture<Object> call;
        try (PythonLog log = PythonLog.capture()) {
            call = client.callAsync(PyCall.of("hardening", "mark_and_spin", key).timeout(Duration.ofMinutes(5))
                    .key(keyOwnedBy("a"))).toCompletableFuture();
            log.await("started " + key, 60);
        }

        // When the client cancels it
        assertThat(call.cancel(true)).isTrue();

        // Then the member's permit comes back long before the timeout, the Python never got past its
        // loop, and the member's context serves again
        Await.until(Duration.ofSeconds(20), "the permit on a is back", () -> onA.semaphore().current() == 0);
        assertThat(onA.call("hardening", "was_finished", key)).isEqualTo(false);
        assertThat(onA.call("hardening", "was_started", key)).isEqualTo(true);
    }

    @Test
    void aClientWithoutGraalPyOnItsClassPath_callsGetsErrorsIntact_andReadsWhatPythonStored() throws Exception {
        // Given a client JVM with the plugin and Hazelcast on its class path, and no GraalPy,
        // and a value Python stored in the shared state
        onA.eval("__import__('hzpy').state_set('graalpy-free-client', {'n': 2 ** 70, 'l': [1, 2.5, 'x'], 'b': True})");
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.contains("/org/graalvm/"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        try (MemberProcess c = MemberProcess.start(120, classPath, GraalPyFreeClient.class,
                a.getConfig().getClusterName(), "127.0.0.1:" + a.getCluster().getLocalMember().getAddress().getPort())) {

            // When it calls, and a call fails
            // Then it gets the result and the Python error, and GraalPy was never there to load
            assertThat(c.awaitLine("GRAALPY", 60)).isEqualTo("GRAALPY false");
            assertThat(c.awaitLine("RESULT", 90)).isEqualTo("RESULT 42");
            assertThat(c.awaitLine("ERROR", 60)).isEqualTo("ERROR ValueError ünïcode");
            assertThat(c.awaitLine("STATE", 60)).isEqualTo("STATE {n=1180591620717411303424, l=[1, 2.5, x], b=true}");
        }
    }

    @Test
    void memberOnlyFacts_areRefusedOnAClient() {
        assertThat(catchThrowableOfType(PyUnavailableException.class, client::contexts))
                .hasMessageContaining("contexts() is a member's");
    }

    private String ownerName(Object key) {
        return a.getPartitionService().getPartition(key).getOwner().localMember() ? "a"
                : a.getPartitionService().getPartition(key).getOwner().equals(b.getCluster().getLocalMember()) ? "b" : "?";
    }

    private String keyOwnedBy(String name) {
        for (int i = 0; ; i++) {
            if (ownerName("k" + i).equals(name)) {
                return "k" + i;
            }
        }
    }
}
