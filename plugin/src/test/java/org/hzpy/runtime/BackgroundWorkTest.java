package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;

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
}
