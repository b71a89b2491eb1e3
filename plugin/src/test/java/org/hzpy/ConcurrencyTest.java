package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(Invariants.class)
class ConcurrencyTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    @Test
    void eightThreadsOverTwoIsolatedContexts_everyResultRight_noContextEnteredTwiceAtOnce() throws Exception {
        assertThat(py.contexts().numContexts()).isEqualTo(2);
        long callsBefore = callsPerContext().stream().mapToLong(Long::longValue).sum();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> wrong = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t * 1000;
                wrong.add(threads.submit(() -> {
                    int mismatches = 0;
                    for (int i = offset; i < offset + 1000; i++) {
                        if (!Long.valueOf((long) i * i).equals(py.call("testmod", "counted_square", i))) {
                            mismatches++;
                        }
                    }
                    return mismatches;
                }));
            }
            for (Future<Integer> f : wrong) {
                assertThat(f.get(5, TimeUnit.MINUTES)).as("wrong results").isZero();
            }
        } finally {
            threads.shutdownNow();
        }

        List<Long> calls = callsPerContext();
        assertThat(calls.stream().mapToLong(Long::longValue).sum() - callsBefore).isEqualTo(8000);
        assertThat(calls).as("both contexts served calls").allSatisfy(n -> assertThat(n).isPositive());
        for (int i = 0; i < 2; i++) {
            assertThat(TestMembers.inContext(py, i, () -> py.call("testmod", "overlaps")))
                    .as("overlapping entries seen by context " + i).isEqualTo(0L);
        }
    }

    private List<Long> callsPerContext() {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < py.contexts().numContexts(); i++) {
            out.add((Long) TestMembers.inContext(py, i, () -> py.call("testmod", "calls")));
        }
        return out;
    }
}
