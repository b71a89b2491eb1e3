package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * P11: asyncio. One context runs {@code asyncio.gather} over 10,000 {@code hzpy.call_async} awaits of
 * a Java function whose CompletableFuture another thread completes: the wall time of the 10,000, the
 * heap they hold while all pending, and the ordinary calls the same context serves meanwhile
 * (against the same calls with no coroutine waiting). A member in this JVM, 1 context, no pre-warm.
 */
final class P11Asyncio implements Benchmark {
    private static final String SOURCE = String.join("\n",
            "import asyncio, hzpy",
            "async def gather_java(name, n):",
            "    rs = await asyncio.gather(*(hzpy.call_async(name, i) for i in range(n)))",
            "    return len(rs)",
            "def identity(x):",
            "    return x",
            "");
    private static final int AWAITS = 10_000;
    private static final int ROUNDS = 7;
    private static final Duration WARM_UP = Duration.ofSeconds(20);
    private static final Duration RATE_WINDOW = Duration.ofSeconds(2);

    @Override
    public String id() {
        return "P11";
    }

    @Override
    public String title() {
        return "asyncio: 10,000 concurrent awaits of Java in one context";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(3);
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        HazelcastInstance member = Members.start(Map.of("hzpy.contexts", "1", "hzpy.max-concurrent", "64",
                "hzpy.call-timeout", "2m", "hzpy.prewarm", "false"));
        ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "p11-completer");
            t.setDaemon(true);
            return t;
        });
        try {
            Py py = Members.ready(member, 1);
            Members.recordEngine(result, py);
            py.exec(SOURCE);
            // completed on another thread as soon as it can: the loop gets results while it still adds awaits
            py.registerFunction("soon", args -> CompletableFuture.supplyAsync(() -> args.get(0), completer));
            List<CompletableFuture<Object>> held = new ArrayList<>();
            py.registerFunction("held", args -> {
                CompletableFuture<Object> f = new CompletableFuture<>();
                synchronized (held) {
                    held.add(f);
                }
                return f;
            });

            long warmEnd = System.nanoTime() + WARM_UP.toNanos();
            while (System.nanoTime() < warmEnd) {
                gather(py, "soon");
                py.call("__main__", "identity", 1L);
            }

            double[] alone = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                alone[r] = gather(py, "soon");
            }
            double[] served = new double[ROUNDS];
            double[] withCalls = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                CompletableFuture<Object> g = py.callAsync(PyCall.of("__main__", "gather_java", "soon", AWAITS)).toCompletableFuture();
                long calls = 0;
                while (!g.isDone()) {
                    py.call("__main__", "identity", 1L);
                    calls++;
                }
                check(g.get());
                double secs = (System.nanoTime() - t0) / 1e9;
                withCalls[r] = secs * 1000;
                served[r] = calls / secs;
            }
            double baseline = rate(py);

            // memory: 10,000 awaits all pending at once
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            System.gc();
            long before = mem.getHeapMemoryUsage().getUsed();
            CompletableFuture<Object> g = py.callAsync(PyCall.of("__main__", "gather_java", "held", AWAITS)).toCompletableFuture();
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (py.stats().asyncAwaitsPending() < AWAITS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the awaits did not all become pending: " + py.stats().asyncAwaitsPending());
                }
                Thread.sleep(10);
            }
            System.gc();
            long pendingHeap = mem.getHeapMemoryUsage().getUsed() - before;
            double whileWaiting = rate(py); // the same context, with 10,000 awaits waiting in it
            synchronized (held) {
                held.forEach(f -> f.complete(1L));
            }
            check(g.get(1, TimeUnit.MINUTES));

            result.add(String.format("A member in this JVM, 1 context, no pre-warm. `gather_java` runs `asyncio.gather` over"
                    + " %,d `hzpy.call_async` awaits of a Java function whose CompletableFuture a second thread completes at"
                    + " once; %d s of warm-up, then %d rounds alone and %d with the test thread calling `identity(1)` in the"
                    + " same context until the gather ends. Heap: used heap after a GC with all %,d awaits pending (their"
                    + " futures held by Java) minus after a GC before.", AWAITS, WARM_UP.toSeconds(), ROUNDS, ROUNDS, AWAITS, AWAITS));
            result.add(new Table("measure", "median", "min", "max")
                    .row("wall time of the 10,000 awaits, alone (ms)", Stats.fmt(Stats.median(alone)), Stats.fmt(Stats.min(alone)),
                            Stats.fmt(Stats.max(alone)))
                    .row("wall time with ordinary calls meanwhile (ms)", Stats.fmt(Stats.median(withCalls)),
                            Stats.fmt(Stats.min(withCalls)), Stats.fmt(Stats.max(withCalls)))
                    .row("ordinary calls/s served meanwhile", Stats.fmt(Stats.median(served)), Stats.fmt(Stats.min(served)),
                            Stats.fmt(Stats.max(served)))
                    .row("ordinary calls/s with no coroutine (" + RATE_WINDOW.toSeconds() + " s)", Stats.fmt(baseline), "", "")
                    .row("ordinary calls/s while the 10,000 awaits wait (" + RATE_WINDOW.toSeconds() + " s)", Stats.fmt(whileWaiting), "", "")
                    .toMarkdown());
            result.goal("10,000 concurrent awaits of Java in one context ≤ 1 s (median)", Stats.fmt(Stats.median(alone)) + " ms",
                    Stats.median(alone) <= 1000);
            result.goal("the context keeps serving while they wait", Stats.fmt(whileWaiting) + " calls/s", whileWaiting > 0);
            result.add(String.format("Heap held by %,d pending awaits: **%s MB** (%s bytes each). The 10,000 take **%s ms**"
                    + " alone (goal ≤ 1,000 ms). While they *wait*, the context serves **%s** ordinary calls/s (%s without"
                    + " them); while the gather *runs* (creating the 10,000 awaits is one step of its coroutine, resolving"
                    + " them one tick: Python work in that context), calls get in between its ticks only: **%s**/s.",
                    AWAITS, Stats.fmt(pendingHeap / 1e6), Stats.fmt(pendingHeap / (double) AWAITS), Stats.fmt(Stats.median(alone)),
                    Stats.fmt(whileWaiting), Stats.times(whileWaiting / baseline), Stats.fmt(Stats.median(served))));
        } finally {
            completer.shutdownNow();
            member.shutdown();
        }
        return result;
    }

    /** Milliseconds for one gather of {@link #AWAITS} awaits. */
    private static double gather(Py py, String function) {
        long t0 = System.nanoTime();
        check(py.call(PyCall.of("__main__", "gather_java", function, AWAITS)));
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void check(Object n) {
        if (!Long.valueOf(AWAITS).equals(n)) {
            throw new IllegalStateException("gather_java returned " + n + ", not " + AWAITS);
        }
    }

    private static double rate(Py py) {
        long end = System.nanoTime() + RATE_WINDOW.toNanos();
        long t0 = System.nanoTime();
        long calls = 0;
        while (System.nanoTime() < end) {
            py.call("__main__", "identity", 1L);
            calls++;
        }
        return calls / ((System.nanoTime() - t0) / 1e9);
    }
}
