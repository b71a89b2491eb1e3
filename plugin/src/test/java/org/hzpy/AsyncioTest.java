package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * asyncio on a member: an {@code async def} called through call/callAsync runs on its context's
 * event loop, which serves other calls while the coroutine waits; {@code hzpy.call_async} awaits
 * Java without blocking. The member has ONE context (members/asyncio.yaml).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the context restart last: the others share one warm context
class AsyncioTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static HazelcastInstance member;
    private static Py py;
    /** Markers the coroutines' finally blocks sent back (hzpy.call("aio.finally", marker)). */
    private static final Set<String> finallyRan = ConcurrentHashMap.newKeySet();
    /** What "aio.pending" hands out: the test completes it. */
    private static volatile CompletableFuture<Object> javaFuture = new CompletableFuture<>();

    @BeforeAll
    static void start() {
        member = TestMembers.startOwn("asyncio");
        py = TestMembers.py(member);
        py.registerFunction("aio.pending", args -> javaFuture);
        py.registerFunction("aio.square", args -> {
            long n = ((Number) args.get(0)).longValue();
            return CompletableFuture.supplyAsync(() -> n * n, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
        });
        py.registerFunction("aio.plain", args -> "plain " + args.get(0));
        py.registerFunction("aio.finally", args -> {
            finallyRan.add(String.valueOf(args.get(0)));
            return null;
        });
    }

    @AfterAll
    static void stop() {
        if (member != null) {
            member.shutdown();
        }
    }

    private static CompletableFuture<Object> async(PyCall call) {
        return py.callAsync(call).toCompletableFuture();
    }

    @Test
    void coroutineAwaitingJava_leavesItsOnlyContextToOtherCalls() {
        // Given a coroutine in the member's only context, awaiting a Java future nobody has completed
        javaFuture = new CompletableFuture<>();
        CompletableFuture<Object> coroutine = async(PyCall.of("aiomod", "await_java", "aio.pending"));
        Await.until(WAIT, "the coroutine awaits Java", () -> py.stats().asyncAwaitsPending() == 1);

        // When 50 ordinary calls run in that same context
        for (int i = 0; i < 50; i++) {
            assertThat(py.call("aiomod", "add", i, 1)).isEqualTo((long) i + 1);
        }
        boolean doneBeforeJava = coroutine.isDone();
        // and the Java future completes ~300 ms later, on another thread
        CompletableFuture<Object> the = javaFuture;
        CompletableFuture.runAsync(() -> the.complete("from Java"), CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));

        // Then the 50 calls were served while it waited, and it completes with the Java result
        assertThat(doneBeforeJava).isFalse();
        assertThat(coroutine).succeedsWithin(BOUND).isEqualTo("from Java");
        assertThat(py.stats().asyncCallsPending()).isZero();
    }

    @Test
    void gatherOf10000JavaAwaits_completes() {
        for (int n : new int[] {100, 1000}) { // (how long smaller gathers take, for the log)
            long t0 = System.nanoTime();
            py.call(PyCall.of("aiomod", "gather_java", "aio.square", n).timeout(BOUND));
            System.out.printf("gather of %d Java awaits: %.1f ms%n", n, (System.nanoTime() - t0) / 1e6);
        }
        long t0 = System.nanoTime();
        assertThat(py.call(PyCall.of("aiomod", "gather_java", "aio.square", 10_000).timeout(BOUND)))
                .isEqualTo(333_283_335_000L); // sum of i*i for i < 10000
        System.out.printf("gather of 10000 Java awaits: %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        assertThat(py.stats().asyncAwaitsPending()).isZero();
    }

    @Test
    void javaFunctionWithAPlainResult_resolvesAtOnce() {
        assertThat(py.call("aiomod", "await_java", "aio.plain", 7)).isEqualTo("plain 7");
    }

    @Test
    void asyncioSleep_andWaitFor_work() {
        assertThat(py.call("aiomod", "sleep_then", 0.05, "woke")).isEqualTo("woke");
        assertThat(py.call("aiomod", "wait_for_sleep", 30, 0.05)).isEqualTo("wait_for timed out");
    }

    @Test
    void coroutineThatAwaitsNothing_returnsLikeAFunction() {
        assertThat(py.call("aiomod", "doubled", 21)).isEqualTo(42L);
    }

    @Test
    void timeout_cancelsTheCoroutine_runsItsFinally_andFailsWithPyTimeoutException() {
        // Given a coroutine awaiting a Java future that never completes, with a 3 s timeout
        javaFuture = new CompletableFuture<>();
        py.call("aiomod", "doubled", 1); // (its context has run coroutines before: the timeout is not spent on imports)
        // When its timeout passes
        // Then the call fails with PyTimeoutException, and the coroutine's finally ran (CancelledError inside it);
        // the message says what the event loop did meanwhile (where the time went)
        assertThatThrownBy(() -> py.call(PyCall.of("aiomod", "await_with_finally", "aio.pending", "timeout")
                .timeout(Duration.ofSeconds(3))))
                .isInstanceOf(PyTimeoutException.class).hasMessageContaining("CancelledError")
                .hasMessageContaining("its event loop ran").hasMessageContaining("found its context busy");
        Await.until(WAIT, "the coroutine's finally ran", () -> finallyRan.contains("timeout"));
        assertThat(py.stats().asyncCallsPending()).isZero();
    }

    @Test
    void cancellingTheCallsFuture_cancelsTheCoroutine_andRunsItsFinally() {
        javaFuture = new CompletableFuture<>();
        CompletableFuture<Object> call = async(PyCall.of("aiomod", "await_with_finally", "aio.pending", "cancel"));
        Await.until(WAIT, "the coroutine awaits Java", () -> py.stats().asyncAwaitsPending() == 1);

        call.cancel(true);

        Await.until(WAIT, "the coroutine's finally ran", () -> finallyRan.contains("cancel"));
        assertThat(call).isCancelled();
        Await.until(WAIT, "nothing pending", () -> py.stats().asyncCallsPending() == 0);
    }

    @Test
    void cancellingTheAwaitedJavaFuture_failsTheCallWithPyCancelledException_andRunsItsFinally() {
        javaFuture = new CompletableFuture<>();
        CompletableFuture<Object> call = async(PyCall.of("aiomod", "await_with_finally", "aio.pending", "java-cancel"));
        Await.until(WAIT, "the coroutine awaits Java", () -> py.stats().asyncAwaitsPending() == 1);

        javaFuture.cancel(true);

        assertThat(call).failsWithin(BOUND).withThrowableThat().withCauseInstanceOf(PyCancelledException.class);
        assertThat(finallyRan).contains("java-cancel");
    }

    @Test
    void coroutineRaising_failsWithATypedPythonExceptionAndItsTraceback() {
        assertThatThrownBy(() -> py.call("aiomod", "fails", "async boom"))
                .isInstanceOfSatisfying(PythonException.class, e -> {
                    assertThat(e.pythonType()).isEqualTo("ValueError");
                    assertThat(e.message()).isEqualTo("async boom");
                    assertThat(e.traceback()).contains("aiomod.py").contains("in fails");
                });
    }

    @Test
    void asyncDef_calledFromAClient_runsOnTheMembersLoop() {
        com.hazelcast.client.config.ClientConfig config = new com.hazelcast.client.config.ClientConfig();
        config.setClusterName(member.getConfig().getClusterName());
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().addAddress("127.0.0.1:6161");
        HazelcastInstance clientInstance = com.hazelcast.client.HazelcastClient.newHazelcastClient(config);
        try {
            Py client = Py.on(clientInstance);
            assertThat(client.call("aiomod", "sleep_then", 0.05, "from a client")).isEqualTo("from a client");
            CompletionStage<Object> later = client.callAsync(PyCall.of("aiomod", "await_java", "aio.plain", 4));
            assertThat(later.toCompletableFuture()).succeedsWithin(BOUND).isEqualTo("plain 4");
        } finally {
            clientInstance.shutdown();
        }
    }

    @Test
    void sandbox_stillDeniesSocketsThreadsAndProcesses_insideACoroutine() {
        assertThatThrownBy(() -> py.call("aiomod", "opens_socket")).isInstanceOf(PyException.class)
                .satisfies(e -> assertThat(e).isInstanceOfAny(PySandboxException.class, PythonException.class));
        assertThatThrownBy(() -> py.call("aiomod", "starts_thread")).isInstanceOfAny(PySandboxException.class, PythonException.class);
        assertThatThrownBy(() -> py.call("aiomod", "runs_subprocess")).isInstanceOfAny(PySandboxException.class, PythonException.class);
        assertThat(py.call("aiomod", "sleep_then", 0.01, "still serving")).isEqualTo("still serving");
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void contextRestart_failsItsPendingCoroutinesTyped() {
        // Given two coroutines waiting in the only context
        javaFuture = new CompletableFuture<>();
        CompletableFuture<Object> a = async(PyCall.of("aiomod", "await_java", "aio.pending"));
        CompletableFuture<Object> b = async(PyCall.of("aiomod", "sleep_then", 600, "never"));
        Await.until(WAIT, "both wait", () -> py.stats().asyncCallsPending() == 2 && py.stats().asyncAwaitsPending() == 1);

        // When the contexts are restarted
        py.contexts().stop();
        py.contexts().start(1);

        // Then both fail with PyUnavailableException, and the new context serves coroutines
        assertThat(a).failsWithin(BOUND).withThrowableThat().withCauseInstanceOf(PyUnavailableException.class);
        assertThat(b).failsWithin(BOUND).withThrowableThat().withCauseInstanceOf(PyUnavailableException.class);
        assertThat(py.stats().asyncCallsPending()).isZero();
        assertThat(TestMembers.py(member).call(PyCall.of("aiomod", "sleep_then", 0.01, "again").timeout(BOUND))).isEqualTo("again");
    }
}
