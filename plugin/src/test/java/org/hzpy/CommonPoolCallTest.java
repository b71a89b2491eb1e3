package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.PythonLog;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
        String key = UUID.randomUUID().toString();
        ExecutorService occupant = Executors.newSingleThreadExecutor();
        try (PythonLog log = PythonLog.capture()) {
            Future<Object> occupying = occupant.submit(() -> { // keeps context 0 busy for a second
                router.bind(router.context(0));
                try {
                    return isolated.call("testmod", "announce_then_sleep", key, 1.0, "done");
                } finally {
                    router.unbind();
                }
            });
            log.await("inside " + key, 60);

            Object servedBy = CompletableFuture.supplyAsync(() -> {
                router.bind(router.context(0));
                try {
                    return isolated.eval("pool_tag"); // must wait for context 0, not move to the free one
                } finally {
                    router.unbind();
                }
            }).get(1, TimeUnit.MINUTES);

            assertThat(occupying.get(1, TimeUnit.MINUTES)).isEqualTo("done");
            assertThat(servedBy).isEqualTo(0L);
        } finally {
            occupant.shutdownNow();
        }
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
