package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.PythonLog;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On the hardening member: no pre-warm, so no json training takes a context between calls (a thread
 * whose usual context is taken moves to another, which {@code unboundThread_keepsToOneContext}
 * would see as a move), and stopping the router here leaves the shared members' contexts alone.
 */
@ExtendWith(Invariants.class)
class ContextRouterTest {
    private final Py py = TestMembers.py(TestMembers.hardening());
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
        // Given the context this thread usually runs on is busy with another thread's call
        tagContexts();
        int usual = ((Long) py.eval("ctx_tag")).intValue();
        String key = UUID.randomUUID().toString();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (PythonLog log = PythonLog.capture()) {
            Future<Object> busy = other.submit(() -> {
                router.bind(router.context(usual));
                try {
                    return py.call("testmod", "announce_then_sleep", key, 1.0, "done");
                } finally {
                    router.unbind();
                }
            });
            log.await("inside " + key, 60);

            // When this thread calls while that call runs
            Object servedBy = py.eval("ctx_tag");

            // Then the call ran on the other context, and the busy call still finished normally
            assertThat(servedBy).isNotEqualTo((long) usual);
            assertThat(busy.get(30, TimeUnit.SECONDS)).isEqualTo("done");
        } finally {
            other.shutdownNow();
        }
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
