package org.hzpy.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyOutcome;
import org.hzpy.PySandboxException;
import org.hzpy.PyStream;
import org.hzpy.PyUnavailableException;
import org.hzpy.PythonException;
import org.hzpy.support.Await;
import org.hzpy.support.ChildMember;
import org.hzpy.support.Invariants;
import org.hzpy.support.MemberProcess;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Streams from a client, and from a member to the member that owns a stream's key, on the
 * 2-member streams cluster (1 context each): items come from where the stream opened, a batch at a
 * time, and the stream ends — generator closed, permit back — however its caller goes away. Each
 * member's module path has its own {@code whoami.py}, so a stream's items can say where they came from.
 */
@ExtendWith(Invariants.class)
class RemoteStreamTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final HazelcastInstance b = TestMembers.streamsB();
    private final HazelcastInstance a = TestMembers.streamsA();
    private final Py onA = TestMembers.py(a);
    private final Py onB = TestMembers.py(b);
    private final HazelcastInstance clientInstance = TestMembers.clientOf(a);
    private final Py client = Py.on(clientInstance);

    @Test
    void aClientsKeyedStream_comesFromTheKeysOwner() {
        for (HazelcastInstance owner : List.of(a, b)) {
            // Given a key that the member owns
            String key = keyOwnedBy(owner.getCluster().getLocalMember());

            // When a client streams a generator keyed to it, three times
            List<Object> names = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                try (PyStream s = client.stream(PyCall.of("remotestreams", "names", 7).key(key), 3)) {
                    s.forEachRemaining(names::add);
                }
            }

            // Then every item was made on that member (its own whoami.py), over several pulls each
            String name = owner == a ? "a" : "b";
            assertThat(names).hasSize(21).containsOnly(name);
        }
    }

    @Test
    void aClientsUnkeyedStream_deliversEveryItem_inOrder_andEndsTheGenerator() {
        String key = UUID.randomUUID().toString();

        // When a client streams 1000 items without a key (to the member with the most free permits)
        List<Object> items;
        try (PyStream s = client.stream(PyCall.of("remotestreams", "numbers", key, 1000))) {
            items = s.stream().toList();
        }

        // Then it got every item in order, and the generator's finally ran once on the member that served it
        assertThat(items).isEqualTo(LongStream.range(0, 1000).boxed().toList());
        long finallyRuns = (long) onA.call("remotestreams", "finally_runs", key) + (long) onB.call("remotestreams", "finally_runs", key);
        assertThat(finallyRuns).isEqualTo(1L);
    }

    @Test
    void aPythonErrorInAClientsStream_arrivesOnThePullThatReachesIt_afterTheItemsBeforeIt() {
        for (int before : new int[] {10, 0}) {
            // Given a client's stream of a generator that fails after `before` items (within the first batch)
            PyStream s = client.stream(PyCall.of("remotestreams", "fails_after", before));
            List<Object> items = new ArrayList<>();

            // When it reads on
            PythonException error = catchThrowableOfType(() -> s.forEachRemaining(items::add), PythonException.class);

            // Then it got those items, then the Python error with its traceback; the stream has ended
            assertThat(items).isEqualTo(LongStream.range(0, before).boxed().toList());
            assertThat(error).as("the error after %d items", before).isNotNull();
            assertThat(error.pythonType()).isEqualTo("ValueError");
            assertThat(error.traceback()).contains("fails_after");
            assertThat(s.isClosed()).isTrue();
        }
    }

    @Test
    void aClientsStream_runsTheGeneratorAtMostOneBatchAheadOfItsConsumer() {
        // Given an endless generator on a, streamed by a client in batches of 10
        String key = keyOwnedBy(a.getCluster().getLocalMember());
        String tag = UUID.randomUUID().toString();
        int batch = 10;
        try (PyStream s = client.stream(PyCall.of("remotestreams", "numbers", tag).key(key), batch)) {
            for (int consumed = 1; consumed <= 45; consumed++) {
                // When the client has taken one more item
                assertThat(s.next()).isEqualTo((long) consumed - 1);

                // Then the generator has yielded that item and at most one batch beyond it
                long produced = (long) onA.call("remotestreams", "produced", tag);
                assertThat(produced).as("yielded after %d consumed", consumed).isBetween((long) consumed, (long) consumed + batch);
            }
        }
    }

    @Test
    void aClientThatClosesAStreamEarly_endsItsGeneratorOnce_andGivesThePermitBack() {
        // Given a client reading an endless generator on a, which holds one of a's permits
        String key = keyOwnedBy(a.getCluster().getLocalMember());
        String tag = UUID.randomUUID().toString();
        PyStream s = client.stream(PyCall.of("remotestreams", "numbers", tag).key(key), 4);
        assertThat(s.next()).isEqualTo(0L);
        assertThat(onA.semaphore().current()).isEqualTo(1);

        // When it closes the stream after 6 items
        for (int i = 1; i < 6; i++) {
            s.next();
        }
        s.close();
        s.close();

        // Then the generator's finally ran, once, and the permit is back
        Await.until(BOUND, "the generator's finally ran", () -> (long) onA.call("remotestreams", "finally_runs", tag) == 1L);
        Await.until(BOUND, "a's permit is back", () -> onA.semaphore().current() == 0);
        assertThat(onA.call("remotestreams", "finally_runs", tag)).isEqualTo(1L);
        assertThat(s.hasNext()).isFalse();
    }

    @Test
    void aClientThatDisconnectsMidStream_hasItsStreamClosed_andThePermitBack() {
        // Given a client of its own reading an endless generator on a
        HazelcastInstance own = newClient();
        String tag = UUID.randomUUID().toString();
        try {
            String key = keyOwnedBy(a.getCluster().getLocalMember());
            PyStream s = Py.on(own).stream(PyCall.of("remotestreams", "numbers", tag).key(key), 4);
            assertThat(s.next()).isEqualTo(0L);
            assertThat(onA.semaphore().current()).isEqualTo(1);

            // When the client goes away without closing it
            own.shutdown();

            // Then a ends the stream: the generator's finally runs and the permit comes back
            Await.until(BOUND, "the disconnected client's stream ended", () -> (long) onA.call("remotestreams", "finally_runs", tag) == 1L);
            Await.until(BOUND, "a's permit is back", () -> onA.semaphore().current() == 0);
        } finally {
            own.shutdown();
        }
    }

    @Test
    void aStreamOfAModuleAClientMayNotCall_isRefused_asTheCallWouldBe() {
        String key = keyOwnedBy(a.getCluster().getLocalMember());
        PyCall refused = PyCall.of("itertools", "repeat", "x", 3).key(key); // not on a's module path

        // When a client streams it, and calls it
        PySandboxException streamed = catchThrowableOfType(() -> client.stream(refused), PySandboxException.class);
        PySandboxException called = catchThrowableOfType(() -> client.call(refused), PySandboxException.class);

        // Then both are refused with the same message, and no stream is left open
        assertThat(streamed).isNotNull();
        assertThat(streamed.getMessage()).isEqualTo(called.getMessage()).contains("hzpy.remote-modules");
        assertThat(MemberParts.runningCallsOf(a).streams().size()).isZero();
    }

    @Test
    void aMembersStreamOfAKeyOwnedByAnotherMember_comesFromThatMember_asMemberCode() {
        // Given a key that b owns
        String key = keyOwnedBy(b.getCluster().getLocalMember());

        // When a streams from it: a generator, and a module the remote policy refuses to clients
        List<Object> names = new ArrayList<>();
        try (PyStream s = onA.stream(PyCall.of("remotestreams", "names", 5).key(key), 2)) {
            s.forEachRemaining(names::add);
        }
        List<Object> repeated = new ArrayList<>();
        try (PyStream s = onA.stream(PyCall.of("itertools", "repeat", "x", 3).key(key))) {
            s.forEachRemaining(repeated::add);
        }

        // Then the items were made on b, and a's stream ran as member code there (no remote policy)
        assertThat(names).hasSize(5).containsOnly("b");
        assertThat(repeated).containsExactly("x", "x", "x");
    }

    @Test
    void aPullOfAnUnknownOrForgedStreamId_isATypedError_andAHugeCountIsRefused() throws Exception {
        IExecutorService executor = clientInstance.getExecutorService(MemberParts.EXECUTOR);
        Member onMemberA = a.getCluster().getLocalMember();

        // When a client pulls a stream id that was never opened
        PyOutcome forged = answer(executor.submitToMember(new StreamPull("forged-id", 10), onMemberA));

        // Then it is a typed error that says no more than that
        assertThat(forged.error()).isInstanceOf(PyUnavailableException.class)
                .hasMessage("no such stream: it ended or was never opened here");

        // Given a stream opened by hand (its id from the open's answer)
        String tag = UUID.randomUUID().toString();
        PyTask numbers = PyTask.call(PyCall.of("remotestreams", "numbers", tag)).cancellableAs(UUID.randomUUID() + ":1:1");
        List<?> opened = (List<?>) answer(executor.submitToMember(new StreamOpen(numbers, 0), onMemberA)).get();
        String id = (String) opened.get(0);

        // When a pull asks for 2^31-1 items
        PyOutcome huge = answer(executor.submitToMember(new StreamPull(id, Integer.MAX_VALUE), onMemberA));

        // Then it is refused before the generator runs, and the stream goes on
        assertThat(huge.error()).isInstanceOf(PySandboxException.class).hasMessageContaining("1 to " + PyStream.MAX_BATCH_SIZE);
        assertThat(onA.call("remotestreams", "produced", tag)).isEqualTo(0L);
        assertThat(answer(executor.submitToMember(new StreamPull(id, 2), onMemberA)).get()).isEqualTo(List.of(false, List.of(0L, 1L)));

        // And once closed, its id is unknown as well
        assertThat(answer(clientInstance.getExecutorService(MemberParts.CONTROL_EXECUTOR).submitToMember(new StreamClose(id), onMemberA)))
                .isTrue();
        assertThat(answer(executor.submitToMember(new StreamPull(id, 1), onMemberA)).error())
                .isInstanceOf(PyUnavailableException.class).hasMessage("no such stream: it ended or was never opened here");
        Await.until(BOUND, "the generator's finally ran", () -> (long) onA.call("remotestreams", "finally_runs", tag) == 1L);
    }

    @Test
    void aMemberKilledMidStream_failsTheNextPull_withPyUnavailableException_namingIt() throws Exception {
        // Given a third member, in a JVM of its own, serving a client's stream of a key it owns
        try (MemberProcess c = MemberProcess.start(300, ChildMember.class, "stream-c", "0")) {
            c.awaitLine("READY", 180);
            Member onMemberC = a.getCluster().getMembers().stream().filter(m -> m.getAddress().getPort() == 6153)
                    .findFirst().orElseThrow();
            String key = keyOwnedBy(onMemberC);
            PyStream s = client.stream(PyCall.of("remotestreams", "names", 1_000_000).key(key), 4);
            for (int i = 0; i < 4; i++) {
                assertThat(s.next()).isEqualTo("c");
            }

            // When c is killed (SIGKILL)
            c.kill();

            // Then the next pull fails with PyUnavailableException naming c
            PyUnavailableException lost = catchThrowableOfType(s::hasNext, PyUnavailableException.class);
            assertThat(lost).isNotNull();
            assertThat(lost.getMessage()).contains("6153");
            assertThat(s.isClosed()).isTrue();
        }
    }

    /** The answer of a task sent to a member, waited for at most {@link #BOUND}. */
    private static <T> T answer(java.util.concurrent.Future<T> f) throws Exception {
        return f.get(BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }

    /** A key whose partition {@code owner} owns, as the members and the client see it (they agree once migrations end). */
    private String keyOwnedBy(Member owner) {
        String[] found = new String[1];
        Await.until(BOUND, "a key owned by " + owner, () -> {
            for (int i = 0; i < 1000; i++) {
                String key = "k" + i;
                Member seenByMember = a.getPartitionService().getPartition(key).getOwner();
                Member seenByClient = clientInstance.getPartitionService().getPartition(key).getOwner();
                if (owner.equals(seenByMember) && owner.equals(seenByClient)) {
                    found[0] = key;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private HazelcastInstance newClient() {
        ClientConfig config = new ClientConfig();
        config.setClusterName(a.getConfig().getClusterName());
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().addAddress("127.0.0.1:" + a.getCluster().getLocalMember().getAddress().getPort());
        return HazelcastClient.newHazelcastClient(config);
    }
}
