package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 20 × max-concurrent threads call one member as fast as they can: every call is answered, either
 * with its result or at once with {@link OverloadedException}; nothing hangs, and the permits,
 * threads and contexts are what they were. 20 s here; longer with {@code ./bench.sh soak SECONDS}
 * (system property {@code hzpy.soak.seconds}).
 */
@ExtendWith(Invariants.class)
class OverloadSoakTest {
    private static final int SECONDS = Integer.getInteger("hzpy.soak.seconds", 20);

    private final HazelcastInstance member = TestMembers.isolated();
    private final Py py = TestMembers.py(member);

    @Test
    void twentyTimesMaxConcurrentCallers_getResultsOrOverloaded_andLeaveNothingBehind() throws Exception {
        // Given a member at rest, and 20 callers for each permit
        int max = py.semaphore().maxConcurrent();
        int callers = 20 * max;
        int hzpyThreadsBefore = hzpyThreads();
        PyStats statsBefore = py.stats();
        LongAdder ok = new LongAdder();
        LongAdder overloaded = new LongAdder();
        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            int caller = t;
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                    for (long i = 0; System.nanoTime() < end; i++) {
                        callOnce(caller, i, ok, overloaded, wrong);
                    }
                } catch (Throwable e) {
                    wrong.add("caller " + caller + " died: " + e);
                }
            }, "soak-" + t);
            thread.start();
            threads.add(thread);
        }

        // When they all call for the soak's duration (sync calls, async calls and evals, some of
        // them holding their permit for a few milliseconds)
        go.countDown();
        long joinBy = end + TimeUnit.MINUTES.toNanos(2);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinBy - System.nanoTime())));
        }

        // Then no caller hung, every answer was a right result or an OverloadedException, and both
        // kinds happened; permits, contexts and hzpy's threads are back where they were
        assertThat(threads.stream().filter(Thread::isAlive).map(Thread::getName)).as("callers still waiting").isEmpty();
        assertThat(wrong).as("answers other than a right result or OverloadedException").isEmpty();
        assertThat(ok.sum()).as("calls that succeeded").isPositive();
        assertThat(overloaded.sum()).as("calls refused as overloaded").isPositive();
        assertThat(py.semaphore().current()).as("permits held").isZero();
        assertThat(py.contexts().numContexts()).isEqualTo(2);
        assertThat(py.stats().contextRestarts()).as("contexts replaced").isEqualTo(statsBefore.contextRestarts());
        assertThat(hzpyThreadsSettleAtMost(hzpyThreadsBefore + py.numExecutors())).as("hzpy threads").isTrue();
        report(callers, max, ok.sum(), overloaded.sum());
    }

    private void callOnce(int caller, long i, LongAdder ok, LongAdder overloaded, Queue<String> wrong) throws Exception {
        try {
            Object result;
            long expected;
            switch ((int) ((caller + i) % 3)) {
                case 0 -> {
                    result = py.call("testmod", "add", i, caller);
                    expected = i + caller;
                }
                case 1 -> {
                    result = py.callAsync(PyCall.of("testmod", "sleep_then", 0.002, i)).toCompletableFuture()
                            .get(2, TimeUnit.MINUTES);
                    expected = i;
                }
                default -> {
                    result = py.eval("x * 2", Map.of("x", i));
                    expected = i * 2;
                }
            }
            if (!Long.valueOf(expected).equals(result)) {
                wrong.add("caller " + caller + " call " + i + ": expected " + expected + ", got " + result);
            } else {
                ok.increment();
            }
        } catch (OverloadedException e) {
            overloaded.increment();
            Thread.sleep(1); // a refused client backs off a little, as a real one would
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof OverloadedException) {
                overloaded.increment();
                Thread.sleep(1);
            } else {
                wrong.add("caller " + caller + " call " + i + ": " + e.getCause());
            }
        } catch (RuntimeException e) {
            wrong.add("caller " + caller + " call " + i + ": " + e);
        }
    }

    private int hzpyThreads() {
        String prefix = "hzpy-" + member.getName() + "-";
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }

    /** Idle pool threads time out after a while: waits (bounded) for the count to come down. */
    private boolean hzpyThreadsSettleAtMost(int bound) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (hzpyThreads() > bound && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return hzpyThreads() <= bound;
    }

    private static void report(int callers, int max, long ok, long overloaded) throws IOException {
        String line = String.format("soak: %d s, %d callers, max-concurrent %d: %d calls succeeded (%.0f/s), %d refused"
                        + " as overloaded (%.0f/s), 0 other answers, 0 permits held after%n",
                SECONDS, callers, max, ok, ok / (double) SECONDS, overloaded, overloaded / (double) SECONDS);
        System.out.print(line);
        Path out = Path.of("target", "soak.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, line);
    }
}
