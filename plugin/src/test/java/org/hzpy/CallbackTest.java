package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Python -> Java -> Python ({@code hzpy.call}, {@link Py#registerFunction}) on a member with one
 * context and max-concurrent 1, where nested work that waited for a permit or a context would
 * deadlock; module {@code callbackmod}.
 */
@ExtendWith(Invariants.class)
class CallbackTest {
    private final HazelcastInstance member = TestMembers.callbacks();
    private final Py py = TestMembers.py(member);
    private static final ExecutorService ELSEWHERE = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "callback-test-elsewhere");
        t.setDaemon(true);
        return t;
    });

    @Test
    void pythonCallsAJavaFunction_withConvertedArguments() {
        py.registerFunction("add", args -> (Long) args.get(0) + (Long) args.get(1));

        assertThat(py.call("callbackmod", "call", "add", 2, 40)).isEqualTo(42L);
    }

    @Test
    void fiftyLevelsOfPythonJavaPython_runInOneContextWithOnePermit() {
        // Given a Java function that calls Python, which calls it again, one level down each time
        py.registerFunction("down", args -> args.call("callbackmod", "down", args.get(0)));

        // When Python starts 50 levels deep
        Object depth = py.call("callbackmod", "down", 50);

        // Then every level ran, in the one context, without waiting for the permit it holds
        assertThat(depth).isEqualTo(50L);
        assertThat(py.semaphore().maxConcurrent()).isEqualTo(1);
    }

    @Test
    void nestedCallsFromAnotherThread_runInTheirChain() {
        // Given a Java function that answers with a stage whose work calls Python from another thread
        py.registerFunction("down_elsewhere", args -> CompletableFuture.supplyAsync(
                () -> args.call("callbackmod", "down_elsewhere", args.get(0)), ELSEWHERE));

        // When Python starts 10 levels deep (one context, one permit)
        Object depth = py.call(PyCall.of("callbackmod", "down_elsewhere", 10).timeout(Duration.ofSeconds(30)));

        // Then each nested call ran in the chain of the call that waited for it
        assertThat(depth).isEqualTo(10L);
    }

    @Test
    void aStageCompletedLaterFromAnotherThread_resumesPython_whichRunsEachStatementOnce() {
        // Given a function whose result arrives 300 ms later, from another thread
        py.registerFunction("later", args -> {
            CompletableFuture<Object> result = new CompletableFuture<>();
            CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS, ELSEWHERE)
                    .execute(() -> result.complete(args.get(0)));
            return result;
        });
        String counter = "callback-count-" + UUID.randomUUID();

        // When Python counts, waits for it, and counts again
        Object value = py.call("callbackmod", "count_then_wait", counter);

        // Then Python resumed with the value, and its statements ran exactly once
        assertThat(value).isEqualTo(42L);
        assertThat(py.state().fetch(counter)).contains(2L);
    }

    @Test
    void aStageThatNeverCompletes_endsAtThePythonCallsTimeout_andTheContextServesOn() {
        // Given a function whose result never arrives
        py.registerFunction("never", args -> new CompletableFuture<>());

        // When Python waits for it within a 500 ms call
        PyTimeoutException e = catchThrowableOfType(PyTimeoutException.class,
                () -> py.call(PyCall.of("callbackmod", "call", "never").timeout(Duration.ofMillis(500))));

        // Then the call times out as any other would, and its context and permit are free again
        assertThat(e).hasMessageContaining("did not finish within 500 ms");
        assertThat(py.call("callbackmod", "down", 0)).isEqualTo(0L);
    }

    @Test
    void aJavaException_isACatchablePythonException() {
        py.registerFunction("boom", args -> {
            throw new IllegalStateException("boom from Java");
        });

        assertThat(py.call("callbackmod", "catch_java_error", "boom"))
                .isEqualTo("caught RuntimeError: java.lang.IllegalStateException: boom from Java");
    }

    @Test
    void aJavaExceptionUncaughtInPython_reachesTheJavaCaller() {
        py.registerFunction("boom", args -> {
            throw new IllegalStateException("boom from Java");
        });

        PythonException e = catchThrowableOfType(PythonException.class, () -> py.call("callbackmod", "call", "boom"));

        assertThat(e.pythonType()).isEqualTo("RuntimeError");
        assertThat(e.message()).isEqualTo("java.lang.IllegalStateException: boom from Java");
        assertThat(e.traceback()).contains("callbackmod.py", "in call");
    }

    @Test
    void aPythonExceptionOfANestedCall_keepsItsTypeThroughJava() {
        // Given a Java function that relays to Python code that raises ValueError
        py.registerFunction("relay_value_error", args -> args.call("callbackmod", "raise_value_error", args.get(0)));

        // Then the outer Python code catches it as a ValueError
        assertThat(py.call("callbackmod", "catch_python_error_through_java"))
                .isEqualTo("caught ValueError: from the inner call");
    }

    @Test
    void aPythonObjectsMethod_callsBackIntoJava() {
        py.registerFunction("rate", args -> "EUR".equals(args.get(0)) ? 0.5 : 1.0);

        assertThat(py.call("callbackmod", "account_in", 10.0, "EUR")).isEqualTo(5.0);
    }

    @Test
    void anUnknownFunction_isALookupErrorNamingIt() {
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.call("callbackmod", "call", "no_such_function"));

        assertThat(e.pythonType()).isEqualTo("LookupError");
        assertThat(e.message()).contains("no Java function named 'no_such_function'");
    }

    @Test
    void aHundredConcurrentChainsOfDepthFive_onTwoContexts() throws Exception {
        // Given a member with 2 contexts and room for 100 calls at once
        Py two = TestMembers.py(TestMembers.isolated());
        int max = two.semaphore().maxConcurrent();
        two.semaphore().setMaxConcurrent(100);
        try {
            two.registerFunction("down", args -> args.call("callbackmod", "down", args.get(0)));

            // When 100 chains run at once, each 5 levels deep
            List<CompletableFuture<Object>> chains = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                chains.add(two.callAsync(PyCall.of("callbackmod", "down", 5).timeout(Duration.ofMinutes(2))).toCompletableFuture());
            }

            // Then every chain completes with its depth
            for (CompletableFuture<Object> c : chains) {
                assertThat(c.get(3, TimeUnit.MINUTES)).isEqualTo(5L);
            }
        } finally {
            two.semaphore().setMaxConcurrent(max);
        }
    }

    @Test
    void aFunctionRegisteredOnOneMember_isCalledFromPythonOnAnother() {
        // Given a function registered on member a of the 2-member cluster
        HazelcastInstance b = TestMembers.clusterB();
        HazelcastInstance a = TestMembers.clusterA();
        String name = "where-" + UUID.randomUUID();
        TestMembers.py(a).registerFunction(name, args -> "ran on a, got " + args.get(0));

        // When Python on member b calls it
        Object result = TestMembers.py(b).call("callbackmod", "call", name, "x");

        // Then it ran on a
        assertThat(result).isEqualTo("ran on a, got x");
        TestMembers.py(a).unregisterFunction(name);
        PythonException gone = catchThrowableOfType(PythonException.class,
                () -> TestMembers.py(b).call("callbackmod", "call", name, "x"));
        assertThat(gone.pythonType()).isEqualTo("LookupError");
    }

    @Test
    void aNestedCallsTimeout_failsOnlyThatCall_andTheOuterCallCarriesOn() {
        // Given a Java function whose nested Python call spins past its own 300 ms timeout
        py.registerFunction("nested_spin", args -> args.call(PyCall.of("testmod", "spin").timeout(Duration.ofMillis(300))));

        // When Python calls it and catches what comes back
        Object result = py.call(PyCall.of("callbackmod", "outer_survives_nested_timeout", "nested_spin")
                .timeout(Duration.ofSeconds(20)));

        // Then the outer call saw a catchable TimeoutError and finished normally
        assertThat(result).asString()
                .startsWith("outer caught TimeoutError: testmod.spin() did not finish within 300 ms and was stopped");
        assertThat(py.call("callbackmod", "down", 0)).as("the context serves on").isEqualTo(0L);
    }

    @Test
    void aNestedCallThatSwallowsItsStop_isStoppedAnyway_andTheOuterCallKnowsWhatHappened() {
        // Given a nested call that catches everything raised into it, including its stop
        py.registerFunction("nested_swallow", args -> args.call(PyCall.of("hardening", "swallow_interrupts")
                .timeout(Duration.ofMillis(300))));

        for (int i = 0; i < 3; i++) {
            // When it runs past its timeout
            Object outcome;
            try {
                outcome = py.call(PyCall.of("callbackmod", "outer_survives_nested_timeout", "nested_swallow")
                        .timeout(Duration.ofSeconds(20)));
            } catch (PyTimeoutException e) {
                outcome = e.getMessage();
            }

            // Then it is stopped: by the stop raised again at its next line (the outer call catches a
            // TimeoutError), or, if GraalPy dropped the trace hook when the first stop was caught,
            // by the interrupt 1 s later, which stops the outer call too and says so
            assertThat(String.valueOf(outcome)).as("round %d", i).satisfiesAnyOf(
                    o -> assertThat(o).startsWith("outer caught TimeoutError: hardening.swallow_interrupts() did not finish"),
                    o -> assertThat(o).contains("hardening.swallow_interrupts(), nested in it, did not stop at its timeout"));
            System.out.println("swallowed stop, round " + i + ": " + outcome);
        }
        assertThat(py.call("callbackmod", "down", 0)).as("the context serves on").isEqualTo(0L);
    }

    @Test
    void nestingDeeperThanTheStackHolds_isARecursionError_andTheContextServesOn() {
        // Given a chain that would go 5,000 levels deep (a level takes tens of KB of stack), under a
        // timeout below the nested calls' own default: they end with it instead of each watching its own
        // deadline through a trace hook, which made the descent take over 30 s on a loaded machine
        py.registerFunction("down", args -> args.call("callbackmod", "down", args.get(0)));

        // When it runs on this thread
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.call(PyCall.of("callbackmod", "down", 5_000).timeout(Duration.ofSeconds(25))));

        // Then it is refused as a RecursionError before the stack runs out, and the context serves on
        assertThat(e.pythonType()).isEqualTo("RecursionError");
        assertThat(e.message()).contains("is as deep as the stack of thread", "callAsync");
        assertThat(py.call("callbackmod", "down", 3)).isEqualTo(3L);
        assertThat(py.call("callbackmod", "call", "down", 20)).isEqualTo(20L);
    }

    @Test
    void aClientCannotRegisterFunctions() {
        Py client = Py.on(TestMembers.clientOf(TestMembers.clusterA()));
        assertThat(catchThrowableOfType(PyUnavailableException.class, () -> client.registerFunction("f", args -> 1)))
                .hasMessageContaining("registerFunction() is a member's");
    }
}
