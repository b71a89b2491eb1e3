package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(Invariants.class)
class ExecutionModeTest {
    private final Py isolated = TestMembers.py(TestMembers.isolated());
    private final Py shared = TestMembers.py(TestMembers.sharedMode());

    @Test
    void isolatedMember_reportsItsModeAndExecutors() {
        assertThat(isolated.executionMode()).isEqualTo(ExecutionMode.ISOLATED);
        assertThat(isolated.numExecutors()).isEqualTo(2);
        assertThat(isolated.contexts().numContexts()).isEqualTo(2);
    }

    @Test
    void sharedMember_reportsItsModeAndExecutors() {
        assertThat(shared.executionMode()).isEqualTo(ExecutionMode.SHARED);
        assertThat(shared.numExecutors()).isEqualTo(4);
        assertThat(shared.contexts().numContexts()).isEqualTo(1);
    }

    @Test
    void isolated_globalsSetInOneContext_areInvisibleInTheOther() {
        setGlobalIn(isolated, 0, "iso_marker", "from-0");

        assertThat(globalIn(isolated, 0, "iso_marker")).isEqualTo("from-0");
        assertThat(globalIn(isolated, 1, "iso_marker")).isNull();
    }

    @Test
    void shared_globalsSetByOneThread_areVisibleToEveryOther() throws Exception {
        shared.eval("globals().__setitem__('shared_marker', v)", Map.of("v", "visible"));

        Object seen = CompletableFuture.supplyAsync(() -> shared.eval("globals().get('shared_marker')"))
                .get(30, TimeUnit.SECONDS);

        assertThat(seen).isEqualTo("visible");
    }

    @Test
    void shared_letsInAtMostItsExecutors_whenMoreThreadsCallAtOnce() throws Exception {
        // Given twice as many caller threads as the SHARED member has executors (4), all calling at once
        String run = UUID.randomUUID().toString();
        int callers = 2 * shared.numExecutors();
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Object>> calls = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                calls.add(threads.submit(() -> {
                    go.await();
                    return shared.call("testmod", "overlap_probe", run, callers, 5.0);
                }));
            }

            // When they are let go (each waits inside Python for the others, at most 5 s)
            go.countDown();
            for (Future<Object> c : calls) {
                c.get(2, TimeUnit.MINUTES);
            }
        } finally {
            threads.shutdownNow();
        }

        // Then the context held exactly as many threads at once as the member has executors
        assertThat(shared.call("testmod", "most_inside", run)).isEqualTo((long) shared.numExecutors());
    }

    private static void setGlobalIn(Py py, int context, String name, Object value) {
        TestMembers.inContext(py, context, () -> py.eval("globals().__setitem__(n, v)", Map.of("n", name, "v", value)));
    }

    private static Object globalIn(Py py, int context, String name) {
        return TestMembers.inContext(py, context, () -> py.eval("globals().get(n)", Map.of("n", name)));
    }
}
