package org.hzpy;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Await;
import org.hzpy.support.ClientEvents;
import org.hzpy.support.Invariants;
import org.hzpy.support.PythonLog;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A caller's cancel stops the remote call it names, wherever that call is on the member (waiting
 * for a context, or in Python), even when every thread of hzpy's executor is in a long call; a
 * client that disconnects has its calls stopped. The member has one context and two executor threads.
 */
@ExtendWith(Invariants.class)
class RemoteCancellationTest {
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final HazelcastInstance member = TestMembers.cancel();
    private final Py onMember = TestMembers.py(member);
    private final Py client = Py.on(TestMembers.clientOf(member));

    @Test
    void aCancelThatLandsWhileTheCallWaitsForAContext_stopsIt_beforeItRuns() throws Exception {
        String busyKey = UUID.randomUUID().toString();
        String waitingKey = UUID.randomUUID().toString();
        CompletableFuture<Object> busy = null;
        CompletableFuture<Object> waiting = null;
        try (PythonLog log = PythonLog.capture()) {
            // Given the member's one context in a long call, and a second call waiting for it (it holds its permit)
            busy = spin(client, busyKey);
            log.await("started " + busyKey, 60);
            waiting = spin(client, waitingKey);
            Await.until(BOUND, "the second call holds a permit", () -> onMember.semaphore().current() == 2);

            // When its caller cancels it
            waiting.cancel(true);

            // Then its permit comes back while the first call still runs, and once the context is free it never starts
            Await.until(BOUND, "the waiting call's permit is back", () -> onMember.semaphore().current() == 1);
            busy.cancel(true);
            Await.until(BOUND, "every permit is back", () -> onMember.semaphore().current() == 0);
            assertThat(client.call(PyCall.of("hardening", "was_started", waitingKey).timeout(BOUND))).isEqualTo(false);
            assertThat(log.contains("started " + waitingKey)).isFalse();
        } finally {
            cancel(busy, waiting);
        }
    }

    @Test
    void aCancel_landsWhileEveryExecutorThreadIsInALongCall() throws Exception {
        String firstKey = UUID.randomUUID().toString();
        String secondKey = UUID.randomUUID().toString();
        CompletableFuture<Object> first = null;
        CompletableFuture<Object> second = null;
        try (PythonLog log = PythonLog.capture()) {
            // Given both threads of hzpy's executor in long calls (one in Python, one waiting for the context)
            first = spin(client, firstKey);
            log.await("started " + firstKey, 60);
            second = spin(client, secondKey);
            Await.until(BOUND, "both calls hold a permit", () -> onMember.semaphore().current() == 2);

            // When the caller cancels the first
            first.cancel(true);

            // Then the cancel reaches the member although no executor thread is free (it travels on
            // hzpy's control executor): the first call stops and the second gets the context
            log.await("started " + secondKey, 30);
            assertThat(member.getConfig().getExecutorConfigs()).containsKey(org.hzpy.cluster.HzpyPlugin.CONTROL_EXECUTOR);
            second.cancel(true);
            Await.until(BOUND, "every permit is back", () -> onMember.semaphore().current() == 0);
        } finally {
            cancel(first, second);
        }
    }

    @Test
    void aClientThatDisconnects_hasItsRunningCallsStopped_andTheirPermitsBack() throws Exception {
        // Given a client of its own with a call that loops until it is stopped
        HazelcastInstance own = newClient();
        String key = UUID.randomUUID().toString();
        try (PythonLog log = PythonLog.capture()) {
            spin(Py.on(own), key);
            log.await("started " + key, 60);
            assertThat(onMember.semaphore().current()).isEqualTo(1);

            // When the client goes away without cancelling it
            own.shutdown();

            // Then the member stops the call: its permit comes back and the one context serves again
            Await.until(BOUND, "the disconnected client's permit is back", () -> onMember.semaphore().current() == 0);
            assertThat(client.call(PyCall.of("hardening", "echo", "served").timeout(BOUND))).isEqualTo("served");
            assertThat(client.call(PyCall.of("hardening", "was_finished", key).timeout(BOUND))).isEqualTo(false);
        } finally {
            own.shutdown();
        }
    }

    @Test
    void aClientWhoseConnectionDropsAndComesBack_keepsItsCallRunningToItsEnd() throws Exception {
        // Given a client of its own with a call that waits 8 s on the member, then records that it finished
        HazelcastInstance own = newClient();
        String key = UUID.randomUUID().toString();
        try (PythonLog log = PythonLog.capture()) {
            startWaitingCall(own, key, log);

            // When its connection to the member drops and it connects again (as when a member joins:
            // Hazelcast tells the member of each connection, not of the client leaving the cluster)
            ((com.hazelcast.client.impl.clientside.HazelcastClientProxy) own).client.getConnectionManager()
                    .getActiveConnections().forEach(c -> c.close("a dropped connection (test)", null));

            // Then the member lets the call run to its end
            awaitFinished(key);
        } finally {
            own.shutdown();
        }
    }

    @Test
    void aDisconnectEventThatComesAfterTheClientConnectedAgain_cancelsNothing() throws Exception {
        // Given a client of its own with a call that waits 8 s on the member, then records that it finished
        HazelcastInstance own = newClient();
        String key = UUID.randomUUID().toString();
        try (PythonLog log = PythonLog.capture()) {
            startWaitingCall(own, key, log);

            // When the member hears of a disconnect of that client while it is connected (as a loaded
            // member orders a reconnect: the new connection's connect event, then the old one's disconnect)
            ClientEvents.disconnected(member, own);

            // Then the call runs to its end, past the grace period, and the client's next call is served
            awaitFinished(key);
            assertThat(Py.on(own).call(PyCall.of("hardening", "echo", "served").timeout(BOUND))).isEqualTo("served");
        } finally {
            own.shutdown();
        }
    }

    /** A call of {@code own} that waits 8 s on the member, then records that it finished; returns once it runs. */
    private static void startWaitingCall(HazelcastInstance own, String key, PythonLog log) throws InterruptedException {
        Py.on(own).callAsync(PyCall.of("hardening", "mark_wait_and_finish", key, 8).timeout(LONG));
        log.await("started " + key, 60);
    }

    private void awaitFinished(String key) {
        Await.until(BOUND, "the call finished on the member",
                () -> Boolean.TRUE.equals(client.call(PyCall.of("hardening", "was_finished", key).timeout(BOUND))));
    }

    /** Leaves the member idle for the next test whatever this one left running. */
    private static void cancel(CompletableFuture<?>... calls) {
        for (CompletableFuture<?> c : calls) {
            if (c != null) {
                c.cancel(true);
            }
        }
    }

    private static CompletableFuture<Object> spin(Py py, String key) {
        return py.callAsync(PyCall.of("hardening", "mark_and_spin", key).timeout(LONG)).toCompletableFuture();
    }

    private HazelcastInstance newClient() {
        ClientConfig config = new ClientConfig();
        config.setClusterName(member.getConfig().getClusterName());
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().addAddress("127.0.0.1:" + member.getCluster().getLocalMember().getAddress().getPort());
        return HazelcastClient.newHazelcastClient(config);
    }
}
