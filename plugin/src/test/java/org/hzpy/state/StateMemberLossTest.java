package org.hzpy.state;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.PyUnavailableException;
import org.hzpy.support.Await;
import org.hzpy.support.MemberProcess;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared state through the loss of a member, from a client: an operation cut off by its
 * member's death, or answered before its backup confirmed, is sent again and counts once; one that
 * cannot be answered names the member it went to (a client's own failure, "connection closed by the
 * other side", does not). Plain members: one in a JVM of its own (killed or paused), one in the test's.
 */
class StateMemberLossTest {
    private static final String MAP = PyState.DEFAULT_MAP;
    private static final int CHILD_PORT = 6241;
    private final List<AutoCloseable> started = new ArrayList<>();

    /** The member in its own JVM: {@code members/state-loss.yaml}, no plugin; prints READY. */
    public static final class PlainMember {
        public static void main(String[] args) throws Exception {
            Hazelcast.newHazelcastInstance(TestMembers.config("members/state-loss.yaml"));
            System.out.println("READY");
            Thread.sleep(Duration.ofMinutes(5).toMillis());
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    @Test
    void anIncrementCutOffByItsMembersDeath_isSentAgain_andCountsOnce() throws Exception {
        // Given two members, a key owned by the one in its own JVM, and a client's increment waiting
        // there on the key (another client thread holds its lock)
        MemberProcess child = childMember();
        HazelcastInstance local = localMember();
        HazelcastInstance client = client(false);
        String key = keyOwnedBy(client, CHILD_PORT);
        CompletableFuture<Long> increment = waitingIncrement(client, key, Duration.ofSeconds(60));

        // When that member is killed, and the lock (kept on the backup) is released once the other took over
        child.kill();
        Await.until(Duration.ofMinutes(1), "the survivor alone", () -> local.getCluster().getMembers().size() == 1);
        local.getMap(MAP).forceUnlock(key);

        // Then the increment answers, and the counter holds it once
        assertThat(increment.get(60, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(local.getMap(MAP).get(key)).isEqualTo(1L);
    }

    @Test
    void anIncrementAnsweredBeforeItsBackupConfirmed_isSentAgain_andCountsOnce() throws Exception {
        // Given a client that Hazelcast lets fail on an unconfirmed backup (after 1 s), and a key owned
        // by the member in the test's JVM, so its backup lives on the other
        MemberProcess child = childMember();
        HazelcastInstance local = localMember();
        HazelcastInstance client = client(true);
        String key = keyOwnedBy(client, CHILD_PORT + 1);
        PyState state = new PyState(client, MAP, Duration.ofSeconds(60));

        // When the backup's member is frozen for 4 s while the client increments
        CompletableFuture<Void> frozen = CompletableFuture.runAsync(() -> {
            try {
                child.pauseFor(4_000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        long value = state.incr(key);
        frozen.get(30, TimeUnit.SECONDS);

        // Then the increment answers once the backup confirmed it, and the counter holds it once
        assertThat(value).isEqualTo(1L);
        assertThat(local.getMap(MAP).get(key)).isEqualTo(1L);
    }

    @Test
    void anIncrementWhoseOnlyMemberIsKilled_failsAsUnavailable_namingTheMember() throws Exception {
        // Given one member, and a client's increment waiting there on a locked key
        MemberProcess child = childMember();
        HazelcastInstance client = client(false);
        String key = keyOwnedBy(client, CHILD_PORT);
        CompletableFuture<Long> increment = waitingIncrement(client, key, Duration.ofSeconds(3));

        // When the member is killed
        child.kill();

        // Then the increment fails as unavailable, and says which member it was sent to
        Await.until(Duration.ofSeconds(30), "the increment's end", increment::isDone);
        Throwable failure = increment.handle((r, t) -> t).get(1, TimeUnit.SECONDS).getCause();
        assertThat(failure).isInstanceOf(PyUnavailableException.class);
        assertThat(failure.getMessage()).contains("state incr").contains("127.0.0.1]:" + CHILD_PORT);
    }

    /** A client's increment of {@code key} (timeout {@code timeout}), waiting on the member for the key's lock, which the client holds. */
    private static CompletableFuture<Long> waitingIncrement(HazelcastInstance client, String key, Duration timeout)
            throws InterruptedException {
        PyState state = new PyState(client, MAP, timeout);
        client.getMap(MAP).lock(key);
        CompletableFuture<Long> increment = CompletableFuture.supplyAsync(() -> state.incr(key));
        Thread.sleep(500);
        assertThat(increment).as("the increment waits for the lock").isNotDone();
        return increment;
    }

    private MemberProcess childMember() throws Exception {
        MemberProcess child = MemberProcess.start(300, PlainMember.class);
        started.add(child);
        child.awaitLine("READY", 120);
        return child;
    }

    private HazelcastInstance localMember() {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(TestMembers.config("members/state-loss.yaml"));
        started.add(() -> member.getLifecycleService().terminate());
        Await.until(Duration.ofMinutes(1), "two members, partitions and backups settled",
                () -> member.getCluster().getMembers().size() == 2 && member.getPartitionService().isClusterSafe());
        return member;
    }

    private HazelcastInstance client(boolean failOnUnconfirmedBackup) {
        ClientConfig config = new ClientConfig();
        config.setClusterName("hzpy-state-loss");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().addAddress("127.0.0.1:" + CHILD_PORT, "127.0.0.1:" + (CHILD_PORT + 1));
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(5_000);
        if (failOnUnconfirmedBackup) {
            config.setProperty("hazelcast.client.operation.fail.on.indeterminate.state", "true");
            config.setProperty("hazelcast.client.operation.backup.timeout.millis", "1000");
        }
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        started.add(() -> client.getLifecycleService().terminate());
        return client;
    }

    /** A key whose partition the client sees owned by the member at {@code port} (as a client in use long does). */
    private static String keyOwnedBy(HazelcastInstance client, int port) {
        String[] found = new String[1];
        Await.until(Duration.ofSeconds(30), "a key the client sees owned by :" + port, () -> {
            for (int i = 0; i < 1_000; i++) {
                var owner = client.getPartitionService().getPartition("k" + i).getOwner();
                if (owner != null && owner.getAddress().getPort() == port) {
                    found[0] = "k" + i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
