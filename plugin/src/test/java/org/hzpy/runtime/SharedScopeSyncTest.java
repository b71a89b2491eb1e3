package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Module scopes in a SHARED-mode context, which several threads use at once: each thread that
 * finds the context behind the live scopes syncs it, and the syncs must not interleave.
 */
@ExtendWith(Invariants.class)
class SharedScopeSyncTest {
    private static final int THREADS = 4; // the shared member's executors
    private static final int ROUNDS = 40;

    private final HazelcastInstance member = TestMembers.sharedMode();
    private final Py py = TestMembers.py(member);
    private final PythonRuntime runtime = HzpyPlugin.runtimeOf(member);

    @TempDir
    Path tmp;

    /** A scope whose {@code handler} imports its sibling {@code helper} by plain name (the scoped import). */
    private Path scopeDir(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("handler.py"), """
                import helper
                def version():
                    import json
                    return json.loads(json.dumps(helper.VERSION))
                """);
        Files.writeString(dir.resolve("helper.py"), "VERSION = '" + name + "'\n");
        return dir;
    }

    @Test
    void scopesOpenedAndClosedByManyThreadsAtOnce_keepEveryImportWorking() throws Exception {
        // Given one directory per caller thread
        List<Path> dirs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            dirs.add(scopeDir("job" + t));
        }
        ExecutorService callers = Executors.newFixedThreadPool(THREADS);
        try {
            // When every thread, at once and over and over, opens its scope, calls into it and closes it
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Object>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Path dir = dirs.get(t);
                results.add(callers.submit(() -> {
                    go.await();
                    List<Object> seen = new ArrayList<>();
                    for (int round = 0; round < ROUNDS; round++) {
                        String scope = runtime.openModuleScope(dir);
                        try {
                            seen.add(py.call(scope + ".handler", "version"));
                        } finally {
                            runtime.closeModuleScope(scope);
                        }
                        seen.add(py.eval("__import__('textwrap').dedent(' x')")); // a plain import, between syncs
                    }
                    return seen;
                }));
            }
            go.countDown();

            // Then each call saw its own scope's module, and imports of every kind kept working
            for (int t = 0; t < THREADS; t++) {
                List<Object> seen = results.get(t).get(5, TimeUnit.MINUTES);
                for (int round = 0; round < ROUNDS; round++) {
                    assertThat(seen.get(2 * round)).isEqualTo("job" + t);
                    assertThat(seen.get(2 * round + 1)).isEqualTo("x");
                }
            }
            assertThat(py.eval("__import__('fractions').Fraction(1, 2).denominator")).isEqualTo(2L);
        } finally {
            callers.shutdownNow();
        }
    }
}
