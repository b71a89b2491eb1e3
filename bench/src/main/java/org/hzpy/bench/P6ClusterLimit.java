package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * P6: what the cluster-wide limit costs a local call. Two members in this JVM, each a cluster of
 * its own: one with {@code hzpy.cluster-max-concurrent} set, one without; the same warm call of a
 * trivial function on each, interleaved.
 */
final class P6ClusterLimit implements Benchmark {
    private static final String SOURCE = "def identity(x):\n    return x\n";
    private static final int CALLS_PER_SAMPLE = 100_000;
    private static final int SAMPLES = 30;
    private static final Duration WARM_UP = Duration.ofSeconds(8);
    private static final double GOAL = 1.2;

    private long sink;

    @Override
    public String id() {
        return "P6";
    }

    @Override
    public String title() {
        return "Local call with the cluster-wide limit on vs off";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(4);
    }

    @Override
    public Result run() {
        Result result = new Result(id(), title());
        HazelcastInstance off = Members.start(Map.of("hzpy.contexts", "1"));
        HazelcastInstance on = Members.start(Map.of("hzpy.contexts", "1", "hzpy.cluster-max-concurrent", "64"));
        try {
            Py pyOff = Members.ready(off, 1);
            Py pyOn = Members.ready(on, 1);
            Members.recordEngine(result, pyOn);
            pyOff.exec(SOURCE);
            pyOn.exec(SOURCE);
            LongSupplier withoutLimit = () -> batch(pyOff);
            LongSupplier withLimit = () -> batch(pyOn);
            warmUp(withoutLimit);
            warmUp(withLimit);
            double[] offNs = new double[SAMPLES];
            double[] onNs = new double[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                offNs[i] = withoutLimit.getAsLong() / (double) CALLS_PER_SAMPLE;
                onNs[i] = withLimit.getAsLong() / (double) CALLS_PER_SAMPLE;
            }
            if (pyOn.clusterSemaphore().maxConcurrent() != 64) {
                throw new IllegalStateException("the cluster limit was not in force");
            }
            double offMedian = Stats.median(offNs);
            double onMedian = Stats.median(onNs);
            result.add(String.format("One thread, one context, `identity(1)` on a member of its own cluster; the"
                    + " limited member has `hzpy.cluster-max-concurrent: 64` (IMap backend: permits leased in blocks,"
                    + " served by a CAS). Warm-up %d s each; then %d samples of %,d calls per member, interleaved.",
                    WARM_UP.toSeconds(), SAMPLES, CALLS_PER_SAMPLE));
            result.add(new Table("member", "median ns/call", "p90 ns/call", "min ns/call")
                    .row("cluster limit off", Stats.fmt(offMedian), Stats.fmt(Stats.percentile(offNs, 90)),
                            Stats.fmt(Stats.min(offNs)))
                    .row("cluster limit on", Stats.fmt(onMedian), Stats.fmt(Stats.percentile(onNs, 90)),
                            Stats.fmt(Stats.min(onNs)))
                    .toMarkdown());
            double ratio = onMedian / offMedian;
            result.add(String.format("on / off: **%s**.", Stats.times(ratio)));
            result.goal("cluster limit on ≤ 1.2× off", Stats.times(ratio), ratio <= GOAL);
        } finally {
            on.shutdown();
            off.shutdown();
        }
        if (sink <= 0) {
            throw new IllegalStateException("no call returned 1");
        }
        return result;
    }

    private static void warmUp(LongSupplier batch) {
        long end = System.nanoTime() + WARM_UP.toNanos();
        while (System.nanoTime() < end) {
            batch.getAsLong();
        }
    }

    private long batch(Py py) {
        long sum = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS_PER_SAMPLE; i++) {
            sum += (Long) py.call("__main__", "identity", 1);
        }
        long elapsed = System.nanoTime() - t0;
        sink += sum;
        return elapsed;
    }
}
