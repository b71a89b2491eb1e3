package org.hzpy.runtime;

import org.hzpy.HzpySettings;
import org.hzpy.support.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PythonRuntime#replaceExecLog}: what a member that merged into another cluster does with
 * its exec code. A runtime of its own with two contexts, so that both a busy and an idle one are
 * replaced.
 */
class ExecLogReplaceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private PythonRuntime runtime;

    @BeforeEach
    void start() {
        Properties settings = new Properties();
        settings.setProperty("hzpy.contexts", "2");
        settings.setProperty("hzpy.prewarm", "false");
        runtime = PythonRuntime.start(HzpySettings.fromProperties(settings), "hzpy-replace-log");
        assertThat(runtime.awaitReady(2, Duration.ofMinutes(3))).isTrue();
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void afterTheLogIsReplaced_everyContextHasTheNewCodeOnly() {
        // Given a runtime whose contexts both ran an exec
        runtime.exec("replace_old = 'old'", TIMEOUT);
        for (int i = 0; i < 2; i++) {
            assertThat(inContext(i, "globals().get('replace_old')")).isEqualTo("old");
        }

        // When its exec log is replaced
        runtime.replaceExecLog(List.of(new PythonRuntime.ExecCode("replace_new = 'new'", TIMEOUT.toNanos())));

        // Then each context has the new code, and none the old
        for (int i = 0; i < 2; i++) {
            assertThat(inContext(i, "globals().get('replace_new')")).isEqualTo("new");
            assertThat(inContext(i, "globals().get('replace_old')")).isNull();
        }
    }

    @Test
    void aCallRunningWhenTheLogIsReplaced_endsWithItsAnswer_andTheNextCallHasTheNewCode() {
        // Given a call running in a context that ran an exec
        runtime.exec("def replace_slow():\n    import time\n    time.sleep(1.5)\n    return 'finished'", TIMEOUT);
        CompletableFuture<Object> running = runtime.callAsync("__main__", "replace_slow", new Object[0], Map.of(), TIMEOUT);
        Await.until(TIMEOUT, "the call running", () -> runtime.contextStates().busy() > 0);

        // When the log is replaced meanwhile
        runtime.replaceExecLog(List.of(new PythonRuntime.ExecCode("replace_after = 'new'", TIMEOUT.toNanos())));

        // Then the call ends with its answer, and calls after it have the new code only
        assertThat(running.join()).isEqualTo("finished");
        assertThat(runtime.eval("globals().get('replace_after')", Map.of(), TIMEOUT)).isEqualTo("new");
        assertThat(runtime.eval("globals().get('replace_slow')", Map.of(), TIMEOUT)).isNull();
    }

    private Object inContext(int index, String expression) {
        runtime.router().bind(runtime.router().context(index));
        try {
            return runtime.eval(expression, Map.of(), TIMEOUT);
        } finally {
            runtime.router().unbind();
        }
    }
}
