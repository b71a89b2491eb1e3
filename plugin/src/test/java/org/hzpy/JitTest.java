package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test JVM runs GraalPy with the Graal JIT, the way the README tells members to run: a hot
 * Python loop gets compiled to machine code (the engine's compilation trace says so).
 */
class JitTest {
    @TempDir
    Path dir;

    @Test
    void hotPythonLoop_isCompiledByTheGraalJit() throws Exception {
        // Given a member whose engine traces compilations to a file
        Path trace = dir.resolve("compilations.log");
        HazelcastInstance member;
        System.setProperty("polyglot.engine.TraceCompilation", "true");
        System.setProperty("polyglot.log.file", trace.toString());
        try {
            member = TestMembers.startOwn("jit");
            TestMembers.py(member);
        } finally {
            System.clearProperty("polyglot.engine.TraceCompilation");
            System.clearProperty("polyglot.log.file");
        }
        try {
            Py py = Py.on(member);

            // When a loop runs hot (at most a minute)
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            do {
                assertThat(py.call("testmod", "hot_loop", 100_000)).isEqualTo(299_995L);
            } while (compilationsOf("hot_loop", trace).isEmpty() && System.nanoTime() < until);

            // Then the engine compiled it
            assertThat(py.jitActive()).as("engine: " + py.engineImplementation()).isTrue();
            assertThat(compilationsOf("hot_loop", trace)).as("compilations traced:%n%s", Files.readString(trace))
                    .isNotEmpty();
        } finally {
            member.shutdown();
        }
    }

    private static List<String> compilationsOf(String function, Path trace) throws IOException {
        return Files.readAllLines(trace).stream().filter(l -> l.contains("opt done") && l.contains(function)).toList();
    }
}
