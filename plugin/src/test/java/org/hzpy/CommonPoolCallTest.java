package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The common ForkJoinPool erases thread-locals between tasks, which breaks GraalPy on those
 * threads; hzpy must still serve calls made from them (CompletableFuture.supplyAsync does).
 */
@ExtendWith(Invariants.class)
class CommonPoolCallTest {
    private final Py shared = TestMembers.py(TestMembers.sharedMode());
    private final Py isolated = TestMembers.py(TestMembers.isolated());

    @Test
    void bindOnACommonPoolThread_holdsForItsCalls_evenWhenItsContextIsBusy() throws Exception {
        ContextRouter router = isolated.contexts();
        for (int i = 0; i < router.numContexts(); i++) {
            router.bind(router.context(i));
            isolated.eval("globals().__setitem__('pool_tag', t)", java.util.Map.of("t", i));
        }
        router.unbind();
        Thread occupant = new Thread(() -> { // keeps context 0 busy for a second
            router.bind(router.context(0));
            isolated.call("testmod", "sleep_then", 1.0, "done");
        });
        occupant.start();
        Thread.sleep(200);

        Object servedBy = CompletableFuture.supplyAsync(() -> {
            router.bind(router.context(0));
            try {
                return isolated.eval("pool_tag"); // must wait for context 0, not move to the free one
            } finally {
                router.unbind();
            }
        }).get(1, TimeUnit.MINUTES);

        occupant.join();
        assertThat(servedBy).isEqualTo(0L);
    }

    @Test
    void callsFromCommonPoolThreads_allSucceed_onBothModes() throws Exception {
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long n = i;
            Py py = i % 2 == 0 ? shared : isolated;
            calls.add(CompletableFuture.supplyAsync(() -> py.call("testmod", "add", n, 1)));
        }
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).get(2, TimeUnit.MINUTES)).isEqualTo((long) i + 1);
        }
    }
}
