package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(Invariants.class)
class ContextRouterTest {
    private final Py py = TestMembers.py(TestMembers.isolated());
    private final ContextRouter router = py.contexts();

    @AfterEach
    void unbind() {
        router.unbind();
    }

    private void tagContexts() {
        for (int i = 0; i < router.numContexts(); i++) {
            router.bind(router.context(i));
            py.eval("globals().__setitem__('ctx_tag', t)", Map.of("t", i));
        }
        router.unbind();
    }

    @Test
    void router_listsItsContexts() {
        assertThat(router.numContexts()).isEqualTo(2);
        assertThat(router.context(1).index()).isEqualTo(1);
        assertThat(router.context(0).isReady()).isTrue();
        assertThatThrownBy(() -> router.context(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void boundThread_alwaysRunsOnItsContext() {
        tagContexts();
        router.bind(router.context(1));

        for (int i = 0; i < 50; i++) {
            assertThat(py.eval("ctx_tag")).isEqualTo(1L);
        }
    }

    @Test
    void unboundThread_keepsToOneContext_whenItIsFree() {
        tagContexts();
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            seen.add(py.eval("ctx_tag"));
        }
        assertThat(seen).hasSize(1);
    }

    @Test
    void unboundThread_movesToAFreeContext_whenItsOwnIsBusy() throws Exception {
        tagContexts();
        Object usual = py.eval("ctx_tag");
        router.bind(router.context(((Long) usual).intValue()));
        CompletableFuture<Object> busy = CompletableFuture.supplyAsync(() -> {
            router.bind(router.context(((Long) usual).intValue()));
            try {
                return py.call("testmod", "sleep_then", 1.0, "done");
            } finally {
                router.unbind();
            }
        });
        router.unbind();
        Thread.sleep(200); // the other thread is now inside the usual context

        assertThat(py.eval("ctx_tag")).isNotEqualTo(usual);
        assertThat(busy.get(30, TimeUnit.SECONDS)).isEqualTo("done");
    }

    @Test
    void stoppedRouter_refusesCalls_untilStartedAgain() {
        router.stop();
        try {
            assertThat(router.numContexts()).isZero();
            assertThatThrownBy(() -> py.eval("1")).isInstanceOf(PyUnavailableException.class)
                    .hasMessageContaining("stopped");
            assertThatThrownBy(() -> router.start(0)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            router.start(2);
        }
        assertThatThrownBy(() -> router.start(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stop() it first");
        assertThat(py.awaitReady(2, Duration.ofMinutes(2))).isTrue();
        assertThat(py.eval("6 * 7")).isEqualTo(42L);
    }
}
