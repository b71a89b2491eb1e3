package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm-up and json's training run as frames: the watchdog and the meters see them like calls. */
class BackgroundWorkTest {

    @Test
    void aJsonTrainingStepThatHangs_isStoppedAtItsBound_andTheContextServesCallsAgain() {
        // Given a member with pre-warm and one context, whose json training (not yet settled) is
        // made to hang: each slice records that it started, then sleeps for an hour
        HazelcastInstance member = TestMembers.startOwn("background-work");
        try {
            Py py = TestMembers.py(member);
            PythonRuntime runtime = (PythonRuntime) member.getUserContext().get(HzpyPlugin.USER_CONTEXT_KEY);
            Object patched = py.eval("(not __import__('_hzpy_internal').json_settled()) and setattr("
                    + "__import__('sys').modules['_hzpy_internal.json_training']._JsonTraining, 'slice', lambda self, seconds: ("
                    + "__import__('hzpy').state_set('training-hung', True), __import__('time').sleep(3600))) is None");
            assertThat(patched).as("json's training was still going on when it was made to hang").isEqualTo(true);

            // When the training's next slice takes the idle context and hangs there
            Await.until(Duration.ofMinutes(2), "json's training hung in the context",
                    () -> py.state().fetch("training-hung").isPresent());

            // Then the busy meter sees it, the watchdog stops it at its bound, and the context
            // serves a call again (with a timeout well past that bound, well short of the hour)
            assertThat(runtime.contextStates().busy()).as("contexts busy while the training hangs").isEqualTo(1);
            assertThat(py.call(PyCall.of("hardening", "echo", 1).timeout(Duration.ofMinutes(1)))).isEqualTo(1L);
            assertThat(runtime.backgroundStepsStopped()).isEqualTo(1);
        } finally {
            member.shutdown();
        }
    }

    @Test
    void backgroundWork_takesNoStep_whileACoroutineCallIsPending() {
        // Given a member with pre-warm and one context, whose json training (not yet settled) is
        // made endless and counts its slices, and those that began while a coroutine call was pending
        HazelcastInstance member = TestMembers.startOwn("background-work");
        try {
            Py py = TestMembers.py(member);
            py.exec("""
                    import asyncio, sys
                    _training = sys.modules['_hzpy_internal.json_training']
                    _training.slices = 0
                    _training.during_coroutine = 0
                    _training.coroutine_pending = False
                    def _counting_slice(self, seconds, t=_training):
                        t.slices += 1
                        if t.coroutine_pending:
                            t.during_coroutine += 1
                        return None
                    _training_was_going_on = not __import__('_hzpy_internal').json_settled()
                    _training._JsonTraining.slice = _counting_slice
                    def training_slices():
                        return [_training_was_going_on, _training.slices, _training.during_coroutine]
                    async def sleeps(n):
                        _training.coroutine_pending = True
                        try:
                            for _ in range(n):
                                await asyncio.sleep(0.05)
                        finally:
                            _training.coroutine_pending = False
                        return n
                    """);
            assertThat(py.call("__main__", "training_slices")).as("json's training was still going on when it was patched")
                    .asList().first().isEqualTo(true);
            Await.until(Duration.ofMinutes(2), "json's training takes slices in the idle context",
                    () -> ((Number) ((List<?>) py.call("__main__", "training_slices")).get(1)).longValue() > 0);

            // When a coroutine call sleeps 40 times for 50 ms (the context is free between its ticks)
            assertThat(py.call(PyCall.of("__main__", "sleeps", 40).timeout(Duration.ofMinutes(1)))).isEqualTo(40L);

            // Then no slice began while it was pending, and slices go on once it has ended
            long slicesAfterIt = ((Number) ((List<?>) py.call("__main__", "training_slices")).get(1)).longValue();
            assertThat(((List<?>) py.call("__main__", "training_slices")).get(2)).as("slices begun while the coroutine was pending")
                    .isEqualTo(0L);
            Await.until(Duration.ofMinutes(1), "json's training goes on after the coroutine",
                    () -> ((Number) ((List<?>) py.call("__main__", "training_slices")).get(1)).longValue() > slicesAfterIt);
        } finally {
            member.shutdown();
        }
    }
}
