package org.hzpy.bench;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyOutcome;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * P9: what issue 7's features cost. A Python call that calls Java (and Java that calls Python
 * again) against a plain call; {@code hzpy.state_incr} from Python on a key the calling member owns
 * against one the other member owns; {@code py.parallel} of CPU-bound calls on 1 member and on 2.
 * Members in this JVM, 1 context each.
 */
final class P9Callbacks implements Benchmark {
    private static final String SOURCE = String.join("\n",
            "import hzpy",
            "def identity(x):",
            "    return x",
            "def via_java(x):",
            "    return hzpy.call('echo', x)",
            "def via_java_and_back(x):",
            "    return hzpy.call('back', x)",
            "def incr_n(key, n):",
            "    for _ in range(n):",
            "        hzpy.state_incr(key)",
            "    return n",
            "def busy(n):",
            "    t = 0",
            "    for i in range(n):",
            "        t += i % 7",
            "    return t",
            "");
    private static final int CALLS_PER_SAMPLE = 2_000;
    private static final int SAMPLES = 15;
    private static final int INCRS_PER_SAMPLE = 2_000;
    private static final int STATE_SAMPLES = 7;
    private static final int PARALLEL_CALLS = 16;
    private static final int BUSY_LOOP = 4_000_000;
    private static final int PARALLEL_ROUNDS = 5;
    private static final Duration WARM_UP = Duration.ofSeconds(6);

    @Override
    public String id() {
        return "P9";
    }

    @Override
    public String title() {
        return "Callbacks, shared-state counters and parallel";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(8);
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        Consumer<Config> join = Members.oneCluster("hzpy-bench-p9", 3);
        Map<String, String> props = Map.of("hzpy.contexts", "1", "hzpy.max-concurrent", "64", "hzpy.call-timeout", "2m");
        HazelcastInstance first = Members.start(props, join);
        HazelcastInstance second = null;
        try {
            Py py = Members.ready(first, 1);
            Members.awaitCompilerQuiet();
            Members.recordEngine(result, py);
            py.exec(SOURCE);
            py.registerFunction("echo", args -> args.get(0));
            py.registerFunction("back", args -> args.call("__main__", "identity", args.get(0)));

            // callbacks, one member
            String[] paths = {"identity", "via_java", "via_java_and_back"};
            for (String p : paths) {
                warmUp(() -> py.call("__main__", p, 1L));
            }
            double[][] ns = new double[paths.length][SAMPLES];
            for (int s = 0; s < SAMPLES; s++) {
                for (int k = 0; k < paths.length; k++) {
                    ns[k][s] = timePerCall(py, paths[k]);
                }
            }
            double plain = Stats.median(ns[0]);
            double viaJava = Stats.median(ns[1]);
            double andBack = Stats.median(ns[2]);

            double oneMember = parallelRate(py);

            // a second member: state keys on either, parallel over both
            second = Members.start(props, join);
            Members.ready(second, 1);
            awaitMembers(first, 2);
            String localKey = keyOwnedBy(first, first, "local");
            String remoteKey = keyOwnedBy(first, second, "remote");
            warmUp(() -> py.call("__main__", "incr_n", localKey, 100));
            warmUp(() -> py.call("__main__", "incr_n", remoteKey, 100));
            double[] local = new double[STATE_SAMPLES];
            double[] remote = new double[STATE_SAMPLES];
            for (int s = 0; s < STATE_SAMPLES; s++) {
                local[s] = incrRate(py, localKey);
                remote[s] = incrRate(py, remoteKey);
            }
            double twoMembers = parallelRate(py);

            result.add(String.format("Members in this JVM, 1 context each. Callbacks: %d samples of %,d calls per path,"
                    + " interleaved, after %d s of warm-up each. Counters: `hzpy.state_incr` in a Python loop, %d samples of"
                    + " %,d increments per key. Parallel: %d calls of a CPU-bound `busy(%,d)` per `py.parallel`, %d rounds.",
                    SAMPLES, CALLS_PER_SAMPLE, WARM_UP.toSeconds(), STATE_SAMPLES, INCRS_PER_SAMPLE, PARALLEL_CALLS,
                    BUSY_LOOP, PARALLEL_ROUNDS));
            result.add(new Table("path (one member)", "median µs/call", "vs plain call")
                    .row("plain `identity(x)`", Stats.fmt(plain / 1000), "1.00×")
                    .row("Python → Java: `hzpy.call('echo', x)`", Stats.fmt(viaJava / 1000), Stats.times(viaJava / plain))
                    .row("Python → Java → Python: `hzpy.call('back', x)`", Stats.fmt(andBack / 1000), Stats.times(andBack / plain))
                    .toMarkdown());
            result.add(new Table("`hzpy.state_incr` from Python", "increments/s (median)")
                    .row("key owned by the calling member", Stats.fmt(Stats.median(local)))
                    .row("key owned by the other member", Stats.fmt(Stats.median(remote)))
                    .toMarkdown());
            result.add(new Table("`py.parallel` of CPU-bound calls", "calls/s (median)")
                    .row("1 member (1 context)", Stats.fmt(oneMember))
                    .row("2 members (1 context each)", Stats.fmt(twoMembers))
                    .toMarkdown());
            result.add(String.format("A callback adds **%s µs** (Python → Java) and **%s µs** (and back into Python) to a"
                    + " call; a local counter is **%s** the speed of a remote one; 2 members run parallel CPU-bound work"
                    + " **%s** as fast as 1 (2 cores in all).",
                    Stats.fmt((viaJava - plain) / 1000), Stats.fmt((andBack - plain) / 1000),
                    Stats.times(Stats.median(local) / Stats.median(remote)), Stats.times(twoMembers / oneMember)));
        } finally {
            if (second != null) {
                second.shutdown();
            }
            first.shutdown();
        }
        return result;
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void warmUp(Call call) throws Exception {
        long end = System.nanoTime() + WARM_UP.toNanos();
        while (System.nanoTime() < end) {
            call.run();
        }
    }

    private static double timePerCall(Py py, String function) {
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS_PER_SAMPLE; i++) {
            if (!Long.valueOf(1L).equals(py.call("__main__", function, 1L))) {
                throw new IllegalStateException(function + "(1) did not return 1");
            }
        }
        return (System.nanoTime() - t0) / (double) CALLS_PER_SAMPLE;
    }

    private static double incrRate(Py py, String key) {
        long t0 = System.nanoTime();
        py.call("__main__", "incr_n", key, INCRS_PER_SAMPLE);
        return INCRS_PER_SAMPLE / ((System.nanoTime() - t0) / 1e9);
    }

    private static double parallelRate(Py py) {
        List<PyCall> calls = new ArrayList<>();
        for (int i = 0; i < PARALLEL_CALLS; i++) {
            calls.add(PyCall.of("__main__", "busy", BUSY_LOOP));
        }
        long warm = System.nanoTime() + WARM_UP.toNanos(); // every member's context compiles busy()
        while (System.nanoTime() < warm) {
            py.parallel(calls);
        }
        double[] rates = new double[PARALLEL_ROUNDS];
        for (int r = 0; r < PARALLEL_ROUNDS; r++) {
            long t0 = System.nanoTime();
            List<PyOutcome> outcomes = py.parallel(calls);
            rates[r] = PARALLEL_CALLS / ((System.nanoTime() - t0) / 1e9);
            for (PyOutcome o : outcomes) {
                o.get(); // a failed call fails the benchmark
            }
        }
        return Stats.median(rates);
    }

    private static String keyOwnedBy(HazelcastInstance from, HazelcastInstance owner, String prefix) {
        for (int i = 0; i < 100_000; i++) {
            String key = prefix + "-" + i;
            if (from.getPartitionService().getPartition(key).getOwner().getUuid()
                    .equals(owner.getCluster().getLocalMember().getUuid())) {
                return key;
            }
        }
        throw new IllegalStateException("no key of 100,000 tried is owned by " + owner.getName() + ": has it any partition?");
    }

    private static void awaitMembers(HazelcastInstance member, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (member.getCluster().getMembers().size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the members did not form a cluster of " + n + " within a minute");
            }
            Thread.sleep(50);
        }
        Thread.sleep(2_000); // partitions migrate to the new member
    }
}
