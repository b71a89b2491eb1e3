package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Python that never ends on its own (functions in pymodules/hardening.py): each is stopped, the
 * caller gets a typed answer, no permit is left held, and the member serves again on every context
 * (the same one, or a fresh one in its place). The memory bomb is in {@link MemoryGuardTest}.
 */
@ExtendWith(Invariants.class)
class RunawayCodeTest {
    /**
     * 3 ** this: one builtin operation that never checks for an interrupt, ~5 s here: well past
     * timeout + abandon-after, and short, as the abandoned thread keeps a core busy till it ends.
     */
    private static final int LONG_BUILTIN = 40_000_000;

    private final Py py = TestMembers.py(TestMembers.runaway());

    @ParameterizedTest
    @ValueSource(strings = {"spin_forever", "loop_in_finally", "swallow_interrupts", "sleep_forever", "wait_on_itself"})
    void endlessCode_isStoppedByItsTimeout_andItsContextServesAgain(String function) {
        // Given a function that never returns on its own
        long abandonedBefore = py.stats().contextsAbandoned();

        // When it is called with a 1 s timeout
        PyTimeoutException e = catchThrowableOfType(PyTimeoutException.class,
                () -> py.call(PyCall.of("hardening", function).timeout(Duration.ofSeconds(1))));

        // Then the caller gets a timeout naming the call, and the same contexts serve again
        assertThat(e).hasMessageContaining("hardening." + function + "() did not finish within 1000 ms");
        assertEveryContextServes();
        assertThat(py.stats().contextsAbandoned()).isEqualTo(abandonedBefore);
    }

    @Test
    void sleepingCallsInOneContext_areEachStoppedByTheirTimeout_fromAnyThread() throws Exception {
        // Given one context of a member without pre-warm, entered by hzpy's threads (callAsync) and
        // a caller's own thread (call) in turn: GraalPy's own time.sleep did not wake for an
        // interrupt after the context's first
        Py fresh = TestMembers.py(TestMembers.hardening());
        PyCall sleeper = PyCall.of("testmod", "sleep_then", 5.0, "slept").timeout(Duration.ofMillis(300));
        java.util.concurrent.ExecutorService caller = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 4; i++) {
                // When a call that sleeps for 5 s is made on it with a 300 ms timeout
                java.util.concurrent.CompletableFuture<Object> call = i % 2 == 0
                        ? TestMembers.inContext(fresh, 0, () -> fresh.callAsync(sleeper).toCompletableFuture())
                        : java.util.concurrent.CompletableFuture.supplyAsync(() -> TestMembers.inContext(fresh, 0, () -> fresh.call(sleeper)), caller);

                // Then it is stopped by its timeout: long before the sleep would have ended
                java.util.concurrent.ExecutionException e = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
                        () -> call.get(3, java.util.concurrent.TimeUnit.SECONDS));
                assertThat(e).as("call %d ended within 3 s", i).isNotNull();
                assertThat(e.getCause()).as("call %d", i).isInstanceOf(PyTimeoutException.class);
            }
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void sleepZero_returnsAtOnce_andSleepRefusesWhatCPythonRefuses() {
        // 20 sleep(0)s within 5 s (GraalPy's own slept about a second each)
        assertThat(py.eval("[__import__('time').sleep(0) for _ in range(20)] and None", null, Duration.ofSeconds(5))).isNull();
        PythonException negative = catchThrowableOfType(PythonException.class, () -> py.eval("__import__('time').sleep(-1)"));
        assertThat(negative.pythonType()).isEqualTo("ValueError");
        PythonException text = catchThrowableOfType(PythonException.class, () -> py.eval("__import__('time').sleep('1')"));
        assertThat(text.pythonType()).isEqualTo("TypeError");
    }

    @Test
    void unboundedRecursion_isARecursionError_withATracebackShortEnoughToDescribe() {
        // When a function recurses without end (about 3,000 Python frames deep when it fails)
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.call(PyCall.of("hardening", "recurse_forever").timeout(Duration.ofSeconds(20))));

        // Then it is a RecursionError whose traceback keeps both ends and says what it left out
        assertThat(e.pythonType()).isEqualTo("RecursionError");
        assertThat(e.traceback()).contains("recurse_forever", "frames in the middle of this traceback are not shown",
                "RecursionError");
        assertEveryContextServes();
    }

    @Test
    void recursionPastTheJavaStack_isARecursionError() {
        // When Python's recursion limit is lifted, so only the thread's stack can stop it
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.call(PyCall.of("hardening", "recurse_past_the_stack").timeout(Duration.ofMinutes(2))));

        // Then the stack overflow is a RecursionError, not a crashed thread
        assertThat(e.pythonType()).isEqualTo("RecursionError");
        assertEveryContextServes();
    }

    @Test
    void readingStdin_endsAtOnce() {
        // input() and sys.stdin get an empty stream, never the member's standard input
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.call(PyCall.of("hardening", "read_stdin_line").timeout(Duration.ofMinutes(1))));
        assertThat(e.pythonType()).isEqualTo("EOFError");
        assertThat(py.call(PyCall.of("hardening", "read_all_stdin").timeout(Duration.ofMinutes(1)))).isEqualTo("");
    }

    @Test
    void builtinThatIgnoresItsInterrupt_isAbandoned_andTheSyncCallerToldSoWhenItReturns() {
        // Given a call stuck in one builtin operation that never checks for an interrupt
        long abandonedBefore = py.stats().contextsAbandoned();

        // When its 500 ms timeout passes, and then hzpy.abandon-after (1 s) as well
        PyTimeoutException e = catchThrowableOfType(PyTimeoutException.class,
                () -> py.call(PyCall.of("hardening", "huge_power", LONG_BUILTIN).timeout(Duration.ofMillis(500))));

        // Then its context was given up and replaced, and the caller (whose own thread was the one
        // stuck) hears why once the operation returns
        assertThat(e).hasMessageContaining("hardening.huge_power() did not finish within 500 ms")
                .hasMessageContaining("hzpy.abandon-after");
        assertThat(py.stats().contextsAbandoned()).isEqualTo(abandonedBefore + 1);
        assertEveryContextServes();
    }

    @Test
    void builtinThatIgnoresItsInterrupt_answersAnAsyncCallerAndFreesItsPermit_whileItStillRuns() throws Exception {
        // Given an asynchronous call stuck in one builtin operation that never checks for an interrupt
        long abandonedBefore = py.stats().contextsAbandoned();
        CompletableFuture<Object> call = py.callAsync(PyCall.of("hardening", "huge_power", LONG_BUILTIN)
                .timeout(Duration.ofMillis(500))).toCompletableFuture();

        // When hzpy gives up on it
        ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> call.get(2, TimeUnit.MINUTES));

        // Then the caller has its answer, its permit is back, and a fresh context serves in its place,
        // all while the operation still runs on the abandoned thread
        assertThat(e.getCause()).isInstanceOf(PyTimeoutException.class).hasMessageContaining("hzpy.abandon-after");
        assertThat(py.semaphore().current()).isZero();
        assertThat(py.stats().contextsAbandoned()).isEqualTo(abandonedBefore + 1);
        assertEveryContextServes();
    }

    private void assertEveryContextServes() {
        assertThat(py.awaitReady(2, Duration.ofMinutes(2))).as("both contexts ready").isTrue();
        for (int i = 0; i < py.contexts().numContexts(); i++) {
            int context = i;
            assertThat(TestMembers.inContext(py, i, () -> py.call("hardening", "echo", context))).isEqualTo((long) i);
        }
        assertThat(py.semaphore().current()).isZero();
    }
}
