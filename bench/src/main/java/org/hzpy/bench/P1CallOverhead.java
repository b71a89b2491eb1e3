package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.hzpy.Py;
import org.hzpy.metrics.HzpyMetrics;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * P1: a warm call of a trivial Python function through the whole hzpy path
 * ({@code Py.call} → permit → router → context → conversions) against GraalPy's own
 * {@code Value.execute} of the same function on a plain Context in the same JVM; and the same hzpy
 * call on members whose meters are bound to a Prometheus registry (function timers, and timers
 * with percentiles), against one with no meters: three members in this JVM, one context each.
 */
final class P1CallOverhead implements Benchmark {
    private static final String SOURCE = "def identity(x):\n    return x\n";
    private static final int CALLS_PER_SAMPLE = 100_000;
    private static final int SAMPLES = 40;
    private static final Duration WARM_UP = Duration.ofSeconds(8);
    private static final double GOAL_NS = 1000;
    /** Meters may add this share to a call at most. */
    private static final double METRICS_GOAL = 1.10;

    /** Sum of every result, checked at the end: the calls cannot be optimized away and must return 1. */
    private long sink;
    private int warmUpBatches;

    @Override
    public String id() {
        return "P1";
    }

    @Override
    public String title() {
        return "Warm call overhead: hzpy vs raw GraalPy";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(6);
    }

    @Override
    public Result run() {
        Result result = new Result(id(), title());
        HazelcastInstance member = Members.start(Map.of("hzpy.contexts", "1"));
        HazelcastInstance metered = Members.start(Map.of("hzpy.contexts", "1"));
        HazelcastInstance withPercentiles = Members.start(Map.of("hzpy.contexts", "1"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusMeterRegistry percentileRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Context raw = Context.newBuilder("python").option("engine.WarnInterpreterOnly", "false").build()) {
            Py py = Members.ready(member, 1);
            Py pyMetered = Members.ready(metered, 1);
            Py pyPercentiles = Members.ready(withPercentiles, 1);
            HzpyMetrics.of(pyMetered).bindTo(registry);
            HzpyMetrics.of(pyPercentiles).percentiles(0.5, 0.99).bindTo(percentileRegistry);
            Members.recordEngine(result, py);
            for (Py p : new Py[] {py, pyMetered, pyPercentiles}) {
                p.exec(SOURCE);
            }
            raw.eval("python", SOURCE);
            Value identity = raw.getBindings("python").getMember("identity");
            result.fact("graalpy", raw.eval("python", GraalPyVersion.EXPRESSION).asString());

            LongSupplier hzpy = () -> hzpyBatch(py);
            LongSupplier hzpyMetered = () -> hzpyBatch(pyMetered);
            LongSupplier hzpyPercentiles = () -> hzpyBatch(pyPercentiles);
            LongSupplier direct = () -> rawBatch(identity);
            warmUp("hzpy", hzpy);
            warmUp("hzpy with meters", hzpyMetered);
            warmUp("hzpy with percentile timers", hzpyPercentiles);
            warmUp("raw", direct);
            double[] hzpyNs = new double[SAMPLES];
            double[] meteredNs = new double[SAMPLES];
            double[] percentileNs = new double[SAMPLES];
            double[] rawNs = new double[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) { // interleaved, so drifts in machine load hit all alike
                hzpyNs[i] = hzpy.getAsLong() / (double) CALLS_PER_SAMPLE;
                meteredNs[i] = hzpyMetered.getAsLong() / (double) CALLS_PER_SAMPLE;
                percentileNs[i] = hzpyPercentiles.getAsLong() / (double) CALLS_PER_SAMPLE;
                rawNs[i] = direct.getAsLong() / (double) CALLS_PER_SAMPLE;
            }
            report(result, hzpyNs, rawNs);
            reportMetrics(result, hzpyNs, meteredNs, percentileNs, registry.scrape());
        } finally {
            member.shutdown();
            metered.shutdown();
            withPercentiles.shutdown();
            registry.close();
            percentileRegistry.close();
        }
        long expected = (long) CALLS_PER_SAMPLE * (4L * SAMPLES + warmUpBatches);
        if (sink != expected) {
            throw new IllegalStateException("identity(1) returned something else than 1: sum " + sink
                    + " != " + expected);
        }
        return result;
    }

    private void warmUp(String what, LongSupplier batch) {
        long end = System.nanoTime() + WARM_UP.toNanos();
        int n = 0;
        while (System.nanoTime() < end) {
            batch.getAsLong();
            n++;
        }
        warmUpBatches += n;
        System.out.printf("P1: warmed up %s with %d x %d calls%n", what, n, CALLS_PER_SAMPLE);
    }

    /** Times CALLS_PER_SAMPLE calls of {@code identity(1)} through hzpy. */
    private long hzpyBatch(Py py) {
        long sum = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS_PER_SAMPLE; i++) {
            sum += (Long) py.call("__main__", "identity", 1);
        }
        long elapsed = System.nanoTime() - t0;
        sink += sum;
        return elapsed;
    }

    /** Times CALLS_PER_SAMPLE calls of {@code identity(1)} with Value.execute, result read as a Java long. */
    private long rawBatch(Value identity) {
        long sum = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS_PER_SAMPLE; i++) {
            sum += identity.execute(1).asLong();
        }
        long elapsed = System.nanoTime() - t0;
        sink += sum;
        return elapsed;
    }

    private void report(Result result, double[] hzpyNs, double[] rawNs) {
        double hzpy = Stats.median(hzpyNs);
        double raw = Stats.median(rawNs);
        result.add(String.format("One thread, one context (`hzpy.contexts=1`), `identity(x): return x` called "
                + "with `1`. "
                + "Warm-up: %d s of calls on each path; then %d samples of %,d calls per path, interleaved.",
                WARM_UP.toSeconds(), SAMPLES, CALLS_PER_SAMPLE));
        result.add(new Table("path", "median ns/call", "p90 ns/call", "min ns/call", "calls/s (median)")
                .row("hzpy `Py.on(member).call(\"__main__\", \"identity\", 1)`", Stats.fmt(hzpy),
                        Stats.fmt(Stats.percentile(hzpyNs, 90)), Stats.fmt(Stats.min(hzpyNs)), Stats.fmt(1e9 / hzpy))
                .row("raw GraalPy `Value.execute(1).asLong()`", Stats.fmt(raw),
                        Stats.fmt(Stats.percentile(rawNs, 90)), Stats.fmt(Stats.min(rawNs)), Stats.fmt(1e9 / raw))
                .toMarkdown());
        result.add(String.format("hzpy / raw: **%s** (hzpy adds %s ns per call).", Stats.times(hzpy / raw),
                Stats.fmt(hzpy - raw)));
        result.goal("full path ≤ 1 µs median", Stats.fmt(hzpy) + " ns", hzpy <= GOAL_NS);
    }

    private void reportMetrics(Result result, double[] offNs, double[] onNs, double[] percentileNs, String scrape) {
        double off = Stats.median(offNs);
        double on = Stats.median(onNs);
        double pct = Stats.median(percentileNs);
        String counted = scrape.lines().filter(l -> l.startsWith("hzpy_calls_seconds_count{kind=\"call\",origin=\"member\",outcome=\"ok\"}"))
                .findFirst().orElse("(not found)");
        result.add("The same hzpy call on three members of this JVM, one context each, interleaved: no meters; "
                + "`HzpyMetrics` bound to a Prometheus registry (function timers read at scrape time); and bound with "
                + "`percentiles(0.5, 0.99)` (a Micrometer timer records every call). The metered member's scrape at the end "
                + "said `" + counted + "`.");
        result.add(new Table("member", "median ns/call", "p90 ns/call", "vs no meters")
                .row("no meters", Stats.fmt(off), Stats.fmt(Stats.percentile(offNs, 90)), "1.00x")
                .row("meters bound (function timers)", Stats.fmt(on), Stats.fmt(Stats.percentile(onNs, 90)), Stats.times(on / off))
                .row("meters bound, percentile timers", Stats.fmt(pct), Stats.fmt(Stats.percentile(percentileNs, 90)),
                        Stats.times(pct / off))
                .toMarkdown());
        result.fact("P1.metrics.ratio", Stats.times(on / off));
        result.goal("meters on ≤ 1.1x meters off (median)", Stats.times(on / off), on / off <= METRICS_GOAL);
    }
}
