package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    void shared_servesSeveralThreadsAtOnce_upToItsExecutors() throws Exception {
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> shared.call("testmod", "overlap_probe", 0.3)));
        }
        for (CompletableFuture<Object> c : calls) {
            c.get(60, TimeUnit.SECONDS);
        }

        long maxInside = (Long) shared.call("testmod", "max_overlap");
        assertThat(maxInside).isBetween(2L, 4L);
    }

    private static void setGlobalIn(Py py, int context, String name, Object value) {
        TestMembers.inContext(py, context, () -> py.eval("globals().__setitem__(n, v)", Map.of("n", name, "v", value)));
    }

    private static Object globalIn(Py py, int context, String name) {
        return TestMembers.inContext(py, context, () -> py.eval("globals().get(n)", Map.of("n", name)));
    }
}
