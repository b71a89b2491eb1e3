package org.hzpy;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.cluster.FunctionTask;
import org.hzpy.cluster.HzpySerializerHook;
import org.hzpy.support.Await;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What a client may make a member run, route by route: nothing it writes becomes code unless a
 * setting says so, and members' own work is not mistaken for a client's. Runs against members with
 * the default remote policy ({@link TestMembers#remoteDefaults()}, {@link TestMembers#trustA()}) and
 * one with the loosest ({@link TestMembers#trustB()}: {@code remote-modules: any},
 * {@code remote-callbacks: true}).
 */
@ExtendWith(Invariants.class)
class RemoteTrustTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The one answer for a module or function name that is not dotted identifiers. */
    private static final String BAD_NAME = "a call from outside the member must name a module and a function by dotted"
            + " Python identifiers (such as mymodule.sub and my_function)";

    // ------------------------------------------------------------------ item 2: Java callbacks

    @Test
    void aClientsCallOfARegisteredJavaFunction_isRefused_underTheDefaults() throws Exception {
        // Given a Java function registered on a member with the default policy
        HazelcastInstance member = TestMembers.remoteDefaults();
        AtomicInteger runs = new AtomicInteger();
        String name = "secret-" + UUID.randomUUID();
        TestMembers.py(member).registerFunction(name, args -> runs.incrementAndGet());
        try {
            // When a client sends the task that runs it
            PyOutcome outcome = submit(TestMembers.clientOf(member), FunctionTask.of(name, List.of(), Duration.ofSeconds(10)),
                    member);

            // Then it is refused, typed, and the function never ran
            assertThat(outcome.error()).isInstanceOf(PySandboxException.class)
                    .hasMessageContaining("hzpy.remote-callbacks: true");
            assertThat(runs).hasValue(0);
        } finally {
            TestMembers.py(member).unregisterFunction(name);
        }
    }

    @Test
    void whereClientCallbacksAreAllowed_theFunctionsNestedPythonCalls_meetTheRemotePolicy() throws Exception {
        // Given a member that lets clients call its Java functions, and a function there that calls os.getcwd()
        HazelcastInstance b = TestMembers.trustB();
        String name = "nested-" + UUID.randomUUID();
        TestMembers.py(b).registerFunction(name, args -> args.call("os", "getcwd"));
        String plain = "plain-" + UUID.randomUUID();
        TestMembers.py(b).registerFunction(plain, args -> "ran for " + args.get(0));
        try {
            HazelcastInstance client = TestMembers.clientOf(b);

            // When a client calls them
            PyOutcome nested = submit(client, FunctionTask.of(name, List.of(), Duration.ofSeconds(10)), b);
            PyOutcome direct = submit(client, FunctionTask.of(plain, List.of("the client"), Duration.ofSeconds(10)), b);

            // Then the function runs, but its nested call is the client's: refused as a client's would be
            assertThat(direct.get()).isEqualTo("ran for the client");
            assertThat(nested.error()).isInstanceOf(PySandboxException.class)
                    .hasMessageContaining("os.getcwd() cannot be called from outside the member");
        } finally {
            TestMembers.py(b).unregisterFunction(name);
            TestMembers.py(b).unregisterFunction(plain);
        }
    }

    @Test
    void aJavaFunctionCalledFromPythonOnAnotherMember_makesMemberCalls() {
        // Given a function on member a (default policy) whose nested call is to math, which a client may not call there
        HazelcastInstance b = TestMembers.trustB();
        HazelcastInstance a = TestMembers.trustA();
        String name = "sqrt-" + UUID.randomUUID();
        TestMembers.py(a).registerFunction(name, args -> args.call("math", "sqrt", args.get(0)));
        try {
            // When Python on member b calls it
            Object result = TestMembers.py(b).call("callbackmod", "call", name, 16.0);

            // Then it ran on a as member code
            assertThat(result).isEqualTo(4.0);
        } finally {
            TestMembers.py(a).unregisterFunction(name);
        }
    }

    // ------------------------------------------------------------------ item 4: modules that run strings

    @ParameterizedTest
    @ValueSource(strings = {"timeit.timeit", "profile.run", "cProfile.run", "pickle.loads", "logging.config.dictConfig",
            "trace.Trace", "pydoc.locate", "pkgutil.resolve_name", "shelve.open"})
    void modulesThatRunStringsOrUnpickle_areRefusedToClients_evenUnderRemoteModulesAny(String target) {
        // Given the member whose policy is remote-modules: any
        HazelcastInstance b = TestMembers.trustB();
        TestMembers.py(b);
        Py client = Py.on(TestMembers.clientOf(b));
        int dot = target.lastIndexOf('.');
        String module = target.substring(0, dot);
        String function = target.substring(dot + 1);

        // When a client calls one of them with code as a string
        PySandboxException refused = catchThrowableOfType(PySandboxException.class,
                () -> client.call(PyCall.of(module, function, "x = 1").key(keyOwnedBy(b))));

        // Then it is refused whatever the setting
        assertThat(refused).hasMessageContaining(target + "() cannot be called from outside the member")
                .hasMessageContaining("no setting allows it");
    }

    // ------------------------------------------------------------------ item 5: sizes and types from the wire

    @Test
    void aTaskAnnouncingMoreArgumentsThanItHolds_isRefused_beforeAnythingIsAllocated() throws Exception {
        // Given a call task of 30-odd bytes that announces 2^31 - 1 arguments
        HazelcastInstance member = TestMembers.remoteDefaults();
        TestMembers.py(member);
        Crafted task = new Crafted(wireId("PY_TASK"), out -> {
            callHeader(out, "testmod", "echo");
            out.writeInt(Integer.MAX_VALUE);
        });

        // When a client sends it
        PyOutcome outcome = submit(TestMembers.clientOf(member), task, member);

        // Then the member refuses it, typed, and serves on
        assertThat(outcome.error()).isInstanceOf(PySandboxException.class)
                .hasMessageContaining("an argument count of 2147483647 is more than the message holds");
        assertThat(Py.on(TestMembers.clientOf(member)).call("testmod", "echo", "still here")).isEqualTo("still here");
    }

    @Test
    void aBatchAnnouncingMoreCallsThanItHolds_isRefused() throws Exception {
        HazelcastInstance member = TestMembers.remoteDefaults();
        TestMembers.py(member);
        Crafted batch = new Crafted(wireId("PY_BATCH_TASK"), out -> out.writeInt(Integer.MAX_VALUE));

        @SuppressWarnings("unchecked")
        List<PyOutcome> outcomes = (List<PyOutcome>) TestMembers.clientOf(member).getExecutorService("hzpy")
                .submitToMember(batch, memberAsSeenBy(TestMembers.clientOf(member), member)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(outcomes).isNotEmpty().allSatisfy(o -> assertThat(o.error()).isInstanceOf(PySandboxException.class)
                .hasMessageContaining("a batch's call count of 2147483647 is more than the message holds"));
    }

    @Test
    void aJavaSerializedArgument_isNeverDeserialized_andTheCallIsRefused() throws Exception {
        // Given a call task whose argument is a Java-serialized object that notices being deserialized
        HazelcastInstance member = TestMembers.remoteDefaults();
        TestMembers.py(member);
        Tripwire.DESERIALIZED.set(false);
        Crafted task = new Crafted(wireId("PY_TASK"), out -> {
            callHeader(out, "testmod", "echo");
            out.writeInt(1);
            out.writeObject(new Tripwire());
            out.writeInt(0); // no keyword arguments
        });

        // When a client sends it
        PyOutcome outcome = submit(TestMembers.clientOf(member), task, member);

        // Then the member refuses it without running Java deserialization on it
        assertThat(outcome.error()).isInstanceOf(PySandboxException.class)
                .hasMessageContaining("hzpy's tasks carry only the values it converts");
        assertThat(Tripwire.DESERIALIZED).isFalse();
    }

    @Test
    void anArgumentOfATypeHzpyDoesNotConvert_isRefusedNamingIt() {
        HazelcastInstance member = TestMembers.remoteDefaults();
        TestMembers.py(member);
        Py client = Py.on(TestMembers.clientOf(member));

        assertThat(catchThrowableOfType(PyConversionException.class,
                () -> client.call("testmod", "echo", List.of(1, new java.util.Date()))))
                .hasMessageContaining("cannot convert Java java.util.Date to Python");
        assertThat(client.call("testmod", "echo", List.of(1L, "two", Map.of("k", new byte[] {3}))))
                .asList().hasSize(3);
    }

    // ------------------------------------------------------------------ item 7: module names

    @ParameterizedTest
    @ValueSource(strings = {"/etc", "/etc/passwd", ".x", "x.", "a..b", "..", "a/b", "a\\b", "-rf", "tmp/../etc"})
    void aModuleNameThatIsNoDottedIdentifier_isRefused_withOneMessage(String module) {
        HazelcastInstance member = TestMembers.remoteDefaults();
        TestMembers.py(member);
        Py client = Py.on(TestMembers.clientOf(member));

        PySandboxException refused = catchThrowableOfType(PySandboxException.class, () -> client.call(module, "f"));

        assertThat(refused).hasMessage(BAD_NAME);
    }

    // ------------------------------------------------------------------ item 14: parallel()

    @Test
    void aMembersParallel_isMemberCode_onTheMemberItLandsOn() {
        // Given a call to math (which the default policy refuses to clients) keyed to member a (default policy)
        HazelcastInstance b = TestMembers.trustB();
        HazelcastInstance a = TestMembers.trustA();
        PyCall call = PyCall.of("math", "sqrt", 16.0).key(keyOwnedBy(a));

        // When member b's code runs it in a parallel batch
        List<PyOutcome> outcomes = TestMembers.py(b).parallel(List.of(call, call));

        // Then it runs on a
        assertThat(outcomes).allSatisfy(o -> {
            assertThat(o.get()).isEqualTo(4.0);
            assertThat(o.servedBy()).endsWith(":" + a.getCluster().getLocalMember().getAddress().getPort());
        });
    }

    @Test
    void aClientsParallel_meetsTheRemotePolicy_ofTheMemberItLandsOn() {
        HazelcastInstance a = TestMembers.trustA();
        TestMembers.trustB();
        TestMembers.py(a);
        PyCall call = PyCall.of("math", "sqrt", 16.0).key(keyOwnedBy(a));

        List<PyOutcome> outcomes = Py.on(TestMembers.clientOf(a)).parallel(List.of(call, call));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isInstanceOf(PySandboxException.class)
                .hasMessageContaining("hzpy.remote-modules is module-path; add math"));
    }

    @Test
    void aClientsParallel_onTheDefaultsMember_isRefusedModulesOffTheModulePath() {
        HazelcastInstance member = TestMembers.remoteDefaults();
        TestMembers.py(member);

        List<PyOutcome> outcomes = Py.on(TestMembers.clientOf(member)).parallel(List.of(
                PyCall.of("json", "dumps", 1), PyCall.of("testmod", "add", 1, 2)));

        assertThat(outcomes.get(0).error()).isInstanceOf(PySandboxException.class)
                .hasMessageContaining("hzpy.remote-modules is module-path; add json");
        assertThat(outcomes.get(1).get()).isEqualTo(3L);
    }

    // ------------------------------------------------------------------ helpers

    /** A key whose partition {@code owner} owns, once the cluster's partitions have settled. */
    private static String keyOwnedBy(HazelcastInstance owner) {
        TestMembers.py(owner);
        Await.until(WAIT, "the cluster's partitions have settled", () -> owner.getPartitionService().isClusterSafe());
        for (int i = 0; i < 10_000; i++) {
            String key = "trust-key-" + i;
            Member m = owner.getPartitionService().getPartition(key).getOwner();
            if (m != null && m.localMember()) {
                return key;
            }
        }
        throw new AssertionError("no key of 10000 is owned by " + owner.getName());
    }

    private static Member memberAsSeenBy(HazelcastInstance client, HazelcastInstance member) {
        java.util.UUID uuid = member.getCluster().getLocalMember().getUuid();
        return client.getCluster().getMembers().stream().filter(m -> m.getUuid().equals(uuid)).findFirst()
                .orElseThrow(() -> new AssertionError("the client does not see " + member.getName()));
    }

    private static PyOutcome submit(HazelcastInstance client, Callable<?> task, HazelcastInstance member) throws Exception {
        return (PyOutcome) client.getExecutorService("hzpy").submitToMember(task, memberAsSeenBy(client, member))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The start of a call task as hzpy writes one: kind CALL, the member's default timeout, no call id. */
    private static void callHeader(ObjectDataOutput out, String module, String function) throws IOException {
        out.writeByte(0);
        out.writeLong(-1);
        out.writeString(null);
        out.writeString(module);
        out.writeString(function);
    }

    /** One of hzpy's wire ids ({@link HzpySerializerHook}), as a client that read the source would use it. */
    private static int wireId(String field) throws ReflectiveOperationException {
        java.lang.reflect.Field f = HzpySerializerHook.class.getDeclaredField(field);
        f.setAccessible(true);
        return f.getInt(null);
    }

    private interface Body {
        void write(ObjectDataOutput out) throws IOException;
    }

    /** What a client can send in place of one of hzpy's tasks: its wire ids, and bytes of the client's choosing. */
    private static final class Crafted implements IdentifiedDataSerializable, Callable<Object> {
        private final int classId;
        private final Body body;

        Crafted(int classId, Body body) {
            this.classId = classId;
            this.body = body;
        }

        @Override
        public Object call() {
            throw new AssertionError("the member ran the crafted task as itself, not as hzpy's");
        }

        @Override
        public int getFactoryId() {
            return HzpySerializerHook.FACTORY_ID;
        }

        @Override
        public int getClassId() {
            return classId;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            body.write(out);
        }

        @Override
        public void readData(ObjectDataInput in) {
            throw new UnsupportedOperationException("only ever written");
        }
    }

    /** A Java-serialized value that says whether anyone deserialized it (member and test share this JVM). */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean DESERIALIZED = new AtomicBoolean();

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            DESERIALIZED.set(true);
        }
    }
}
