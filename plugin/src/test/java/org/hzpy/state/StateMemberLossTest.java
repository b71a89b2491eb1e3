package org.hzpy.state;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.PyUnavailableException;
import org.hzpy.support.Await;
import org.hzpy.support.MemberProcess;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client's state operation cut off by the death of the member that holds its key fails as
 * {@link PyUnavailableException} naming that member — Hazelcast's own failure on a client ("connection
 * closed by the other side") does not say which member it was, and a caller who sees several
 * members come and go needs to know.
 */
class StateMemberLossTest {

    /** The member in its own JVM: {@code members/state-loss.yaml}, no plugin; prints READY. */
    public static final class PlainMember {
        public static void main(String[] args) throws Exception {
            Hazelcast.newHazelcastInstance(TestMembers.config("members/state-loss.yaml"));
            System.out.println("READY");
            Thread.sleep(Duration.ofMinutes(5).toMillis());
        }
    }

    @Test
    void anIncrementWhoseMemberIsKilled_failsAsUnavailable_namingTheMember() throws Exception {
        try (MemberProcess member = MemberProcess.start(300, PlainMember.class)) {
            member.awaitLine("READY", 120);
            ClientConfig config = new ClientConfig();
            config.setClusterName("hzpy-state-loss");
            config.setProperty("hazelcast.logging.type", "jdk");
            config.getNetworkConfig().addAddress("127.0.0.1:6241");
            config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(5_000);
            HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
            try {
                // Given a client that knows its partitions' owner (as one does soon after it connects), and
                // an increment waiting on the member for a key another client thread has locked
                Await.until(Duration.ofSeconds(30), "the client's partition table",
                        () -> client.getPartitionService().getPartition("held").getOwner() != null);
                PyState state = new PyState(client, PyState.DEFAULT_MAP, Duration.ofSeconds(60));
                client.getMap(PyState.DEFAULT_MAP).lock("held");
                CompletableFuture<Long> increment = CompletableFuture.supplyAsync(() -> state.incr("held"));
                Thread.sleep(500);
                assertThat(increment).as("the increment waits for the lock").isNotDone();

                // When the member is killed
                member.kill();

                // Then the increment fails as unavailable, and says which member it was sent to
                Await.until(Duration.ofSeconds(30), "the increment's end", increment::isDone);
                Throwable failure = increment.handle((r, t) -> t).get(1, TimeUnit.SECONDS).getCause();
                assertThat(failure).isInstanceOf(PyUnavailableException.class);
                assertThat(failure.getMessage()).contains("state incr").contains("127.0.0.1]:6241");
            } finally {
                client.getLifecycleService().terminate();
            }
        }
    }
}
