package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.state.PyState;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The shared state (IMap {@code hzpy.state}) on the 2-member test cluster and from a client: Python
 * ({@code hzpy.state_*}, module {@code statemod}) and Java ({@code py.state()}) see the same entries.
 */
@ExtendWith(Invariants.class)
class StateTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();
    private final Py onA = TestMembers.py(a);
    private final Py onB = TestMembers.py(b);
    private final Py client = Py.on(TestMembers.clientOf(a));

    private static String key(String what) {
        return what + "-" + UUID.randomUUID();
    }

    @Test
    void countersFromPythonAndJavaOnTwoMembers_loseNoIncrement() throws Exception {
        // Given 8 threads, 4 per member, half incrementing from Python and half from Java
        String k = key("counter");
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Py py = t < 4 ? onA : onB;
            boolean python = t % 2 == 0;
            done.add(threads.submit(() -> {
                for (int chunk = 0; chunk < 10; chunk++) {
                    if (python) {
                        py.call(PyCall.of("statemod", "bump", k, 1_000).timeout(Duration.ofMinutes(2)));
                    } else {
                        for (int i = 0; i < 1_000; i++) {
                            py.state().incr(k);
                        }
                    }
                }
                return null;
            }));
        }

        // When each makes 10,000 increments
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        threads.shutdown();

        // Then the counter holds every one of them, seen alike from Python, Java and a client
        assertThat(onA.state().fetch(k)).contains(80_000L);
        assertThat(onB.call("statemod", "get", k)).isEqualTo(80_000L);
        assertThat(client.state().fetch(k)).contains(80_000L);
    }

    @Test
    void everyConvertedType_roundTripsThroughTheState_betweenPythonJavaAndAClient() {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("b", 2L);
        dict.put("a", List.of(1L, "x"));
        List<Object> values = Arrays.asList(true, 42L, Long.MIN_VALUE, new BigInteger("123456789012345678901234567890"),
                2.5, -0.0, Double.NaN, "ünïcode 🐍 \0", new ArrayList<>(List.of(1L, 2.0, "three")), dict,
                new LinkedHashSet<>(List.of(1L, "two")), List.of(List.of(List.of())));
        for (Object v : values) {
            String k = key("type");
            // Python stores, Java reads (member b, then a client)
            onA.call("statemod", "put", k, v);
            assertThat(onB.state().fetch(k)).as("Java reads what Python stored: %s", v).contains(v);
            assertThat(client.state().fetch(k)).as("a client reads what Python stored: %s", v).contains(v);
            // a client stores, Python reads it back on the other member
            String k2 = key("type");
            client.state().store(k2, v);
            assertThat(onB.call("statemod", "get", k2)).as("Python reads what a client stored: %s", v).isEqualTo(v);
        }
        String bytesKey = key("bytes");
        onA.call("statemod", "put", bytesKey, new byte[] {0, -1, 127});
        assertThat((byte[]) client.state().fetch(bytesKey).orElseThrow()).containsExactly(0, -1, 127);
        assertThat(onB.call("statemod", "roundtrip_in_python", key("py"), List.of(1L, Map.of("k", 2.5)))).isEqualTo(true);
    }

    @Test
    void javaValuesAreStoredInTheFormsPythonGivesBack() {
        String k = key("forms");
        onA.state().store(k, Map.of("i", 7, "f", 1.5f, "c", 'x', "arr", new Object[] {(short) 1, (byte) 2}));

        Map<String, Object> expected = Map.of("i", 7L, "f", 1.5, "c", "x", "arr", List.of(1L, 2L));
        assertThat(onB.call("statemod", "get", k)).isEqualTo(expected);
        assertThat(client.state().fetch(k)).contains(expected);
    }

    @Test
    void aMissingKey_isNoneInPython_andEmptyInJava() {
        String k = key("missing");
        assertThat(onA.call("statemod", "get", k)).isNull();
        assertThat(onA.call("statemod", "get", k, "fallback")).isEqualTo("fallback");
        assertThat(onA.state().fetch(k)).isEqualTo(Optional.empty());
        assertThat(client.state().fetch(k)).isEmpty();
    }

    @Test
    void incrementingANonInteger_isATypeErrorInPython_andAPyStateExceptionInJava_andChangesNothing() {
        String k = key("text");
        onA.state().store(k, "not a number");

        assertThat(onB.call("statemod", "incr_error", k))
                .isEqualTo("TypeError: cannot increment '" + k + "': it holds str, not an int");
        PyStateException e = catchThrowableOfType(PyStateException.class, () -> client.state().incr(k));
        assertThat(e).hasMessage("cannot increment '" + k + "': it holds str, not an int");
        assertThat(onA.state().fetch(k)).contains("not a number");
    }

    @Test
    void counters_decrement_andRefuseToLeave64Bits() {
        String k = key("bounds");
        assertThat(onA.state().incr(k, 5)).isEqualTo(5);
        assertThat(onA.state().decr(k, 7)).isEqualTo(-2);
        assertThat(onB.eval("__import__('hzpy').state_decr(k)", Map.of("k", k))).isEqualTo(-3L);
        onA.state().store(k, Long.MAX_VALUE);
        assertThat(catchThrowableOfType(ArithmeticException.class, () -> onA.state().incr(k)))
                .hasMessageContaining("would leave 64 bits");
        PythonException overflow = catchThrowableOfType(PythonException.class,
                () -> onB.eval("__import__('hzpy').state_incr(k)", Map.of("k", k)));
        assertThat(overflow.pythonType()).isEqualTo("OverflowError");
        assertThat(onA.state().fetch(k)).contains(Long.MAX_VALUE);
    }

    @Test
    void deleteAndKeys_seeWhatEveryMemberStored() {
        String prefix = key("keys") + "/";
        onA.call("statemod", "put", prefix + "1", 1L);
        onB.state().store(prefix + "2", 2L);
        client.state().store(prefix + "3", 3L);

        assertThat(onB.call("statemod", "keys_with", prefix)).isEqualTo(List.of(prefix + "1", prefix + "2", prefix + "3"));
        assertThat(onA.call("statemod", "delete", prefix + "2")).isEqualTo(true);
        assertThat(onA.call("statemod", "delete", prefix + "2")).isEqualTo(false);
        assertThat(client.state().remove(prefix + "3")).isTrue();
        assertThat(onA.state().keys()).filteredOn(k -> k.startsWith(prefix)).containsExactly(prefix + "1");
        onA.call("statemod", "put", prefix + "1", null); // storing None removes
        assertThat(onB.state().fetch(prefix + "1")).isEmpty();
    }

    @Test
    void aValueThatCannotBeStored_isRefusedWithItsType() {
        PyConversionException e = catchThrowableOfType(PyConversionException.class,
                () -> onA.state().store(key("bad"), new StringBuilder("x")));
        assertThat(e).hasMessageContaining("cannot store Java java.lang.StringBuilder in the shared state");
        PythonException fromPython = catchThrowableOfType(PythonException.class,
                () -> onA.eval("__import__('hzpy').state_set('k', object())"));
        assertThat(fromPython.pythonType()).isEqualTo("TypeError");
        assertThat(fromPython.message()).contains("cannot convert Python object to Java");
        PythonException badKey = catchThrowableOfType(PythonException.class,
                () -> onA.eval("__import__('hzpy').state_set(1, 2)"));
        assertThat(badKey.message()).isEqualTo("a state key must be a str, not int");
    }

    @Test
    void aPythonCallBlockedOnTheState_stopsAtItsTimeout_andItsContextServesOn() throws Exception {
        // Given a key locked by another thread, so a state operation on it waits
        String k = key("locked");
        IMap<String, Object> map = a.getMap(PyState.DEFAULT_MAP);
        Thread locker = new Thread(() -> map.lock(k));
        locker.start();
        locker.join();
        assertThat(map.isLocked(k)).isTrue();
        long start = System.nanoTime();
        try {
            // When Python increments it within a 1 s call
            java.util.concurrent.CompletableFuture<Object> call = onA.callAsync(
                    PyCall.of("statemod", "bump", k, 1).timeout(Duration.ofSeconds(1))).toCompletableFuture();

            // Then the call times out: well before the state operation's own bound (the member's
            // call-timeout, 20 s), and the context answers the next call
            java.util.concurrent.ExecutionException e = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
                    () -> call.get(10, TimeUnit.SECONDS));
            assertThat(e).as("the call ended within 10 s").isNotNull();
            assertThat(e.getCause()).isInstanceOf(PyTimeoutException.class);
            System.out.printf("state: a call blocked on a locked key timed out after %d ms (timeout 1000 ms)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } finally {
            map.forceUnlock(k);
        }
        // (the timed-out increment was sent: it may still apply once the lock is gone, as any
        // IMap operation whose caller stopped waiting)
        assertThat(onA.call("statemod", "bump", k, 1)).isEqualTo(1L);
        assertThat(onA.state().fetch(k)).isPresent();
    }

    @Test
    void stateOfAMemberThatDies_survivesOnTheBackups() {
        // Given a third member, and 50 values spread over the cluster's partitions (some owned by it)
        HazelcastInstance c = TestMembers.startOwn("cluster-c");
        org.hzpy.support.Await.until(java.time.Duration.ofMinutes(1), "partitions migrated to the new member",
                () -> c.getPartitionService().isClusterSafe());
        String prefix = key("backup") + "/";
        int ownedByC = 0;
        for (int i = 0; i < 50; i++) {
            Py.on(c).state().store(prefix + i, (long) i);
            if (c.getPartitionService().getPartition(prefix + i).getOwner().localMember()) {
                ownedByC++;
            }
        }
        assertThat(ownedByC).as("values whose only primary copy dies with the member").isPositive();

        // When it dies without handing anything over
        c.getLifecycleService().terminate();

        // Then every value is still there
        for (int i = 0; i < 50; i++) {
            assertThat(onA.state().fetch(prefix + i)).as("value %d", i).contains((long) i);
        }
    }

    @Test
    void aMemberWithItsOwnStateMap_keepsTheStateThere_andItsClientsFindIt() {
        // Given a member with hzpy.state-map: app.python-state (backup-count 2 under map:)
        HazelcastInstance member = TestMembers.remoteDefaults();
        Py py = TestMembers.py(member);
        Py itsClient = Py.on(TestMembers.clientOf(member));
        assertThat(py.settings().stateMap()).isEqualTo("app.python-state");
        assertThat(member.getConfig().findMapConfig("app.python-state").getBackupCount()).isEqualTo(2);

        // When Python stores a value there
        String k = key("own-map");
        py.eval("__import__('hzpy').state_set(k, 'in my map')", Map.of("k", k));

        // Then it is in that IMap, and the member's clients read it through py.state()
        assertThat(member.getMap("app.python-state").get(k)).isEqualTo("in my map");
        assertThat(member.getMap(PyState.DEFAULT_MAP).containsKey(k)).isFalse();
        assertThat(itsClient.state().fetch(k)).contains("in my map");
    }
}
