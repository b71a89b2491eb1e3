package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** json's training (part of pre-warm) waits for idle contexts; nothing else waits for it. */
class JsonTrainingTest {
    /** 3 ** this takes seconds in one builtin call that no interrupt stops (see hardening.huge_power). */
    private static final int LONG_BUILTIN = 40_000_000;

    @Test
    void anAbandonedContextIsReplaced_whileTheOthersAreTooBusyToTrainJson() throws Exception {
        // Given a member whose contexts 1 and 2 are kept busy, so json's training never finds them idle
        HazelcastInstance member = TestMembers.startOwn("json-training");
        AtomicBoolean stop = new AtomicBoolean();
        Queue<Throwable> callerFailures = new ConcurrentLinkedQueue<>();
        List<Thread> callers = new ArrayList<>();
        try {
            Py py = TestMembers.py(member);
            for (int i = 1; i <= 2; i++) {
                int context = i;
                Thread caller = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            TestMembers.inContext(py, context, () -> py.call("hardening", "echo", context));
                        }
                    } catch (Throwable t) { // a caller that fails stops keeping its context busy: the test would not know
                        callerFailures.add(t);
                    }
                });
                caller.start();
                callers.add(caller);
            }
            // (context 0, idle, trains json meanwhile, until its Python scanner wins or training gives up
            // after 60 s of trying, which two busy callers on 2 cores can make it do: CI saw it)
            Await.until(Duration.ofMinutes(3), "json's training ended in context 0",
                    () -> TestMembers.jsonTrainingEnded(py, 0) || !callerFailures.isEmpty());
            assertThat(callerFailures).as("callers keeping contexts 1 and 2 busy").isEmpty();

            // When context 0 is stuck in a builtin past its timeout and hzpy.abandon-after, so hzpy replaces it
            CompletableFuture<Object> stuck = TestMembers.inContext(py, 0, () -> py.callAsync(
                    PyCall.of("hardening", "huge_power", LONG_BUILTIN).timeout(Duration.ofMillis(500))).toCompletableFuture());

            // Then the new context 0 starts while the others still wait for an idle moment to train json
            assertThat(stuck).failsWithin(Duration.ofMinutes(1));
            assertThat(py.awaitReady(3, Duration.ofMinutes(1))).as("all 3 contexts ready").isTrue();
            assertThat(TestMembers.inContext(py, 0, () -> py.call("hardening", "echo", 0))).isEqualTo(0L);
            assertThat(py.stats().jsonDecoders().subList(1, 3)).as("contexts 1 and 2 never idle").containsOnly("native");
            assertThat(callerFailures).as("callers keeping contexts 1 and 2 busy").isEmpty();
        } finally {
            stop.set(true);
            for (Thread caller : callers) {
                caller.join(Duration.ofMinutes(1).toMillis());
            }
            member.shutdown();
        }
    }
}
