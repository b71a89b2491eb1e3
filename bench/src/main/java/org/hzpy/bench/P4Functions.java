package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * P4: the functions of bench_functions.py in GraalPy through hzpy (first call right after the
 * member is ready, and warm) against CPython running the same source.
 */
final class P4Functions implements Benchmark {
    private static final Duration WARM_UP = Duration.ofSeconds(30);
    private static final int SAMPLES = 20;
    private static final int CPYTHON_WARM_UP_CALLS = 2;
    private static final int CPYTHON_SAMPLES = 15;
    private static final double GOAL_SPEED_UP = 4;
    private static final Duration JSON_WAIT = Duration.ofSeconds(90);
    private static final double GOAL_FIRST_OVER_WARM = 2;

    @Override
    public String id() {
        return "P4";
    }

    @Override
    public String title() {
        return "Python functions: GraalPy via hzpy vs CPython";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(8);
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        CPythonTimings cpython = cpython(result);
        String source = Resources.text(Resources.FUNCTIONS);

        HazelcastInstance member = Members.start(Map.of("hzpy.contexts", "1", "hzpy.call-timeout", "5m"));
        try {
            Py py = Members.ready(member, 1);
            Members.recordEngine(result, py);
            py.exec(source);
            List<?> cases = (List<?>) py.eval("CASES");
            int n = cases.size();
            String[] names = new String[n];
            long[] args = new long[n];
            for (int i = 0; i < n; i++) {
                List<?> c = (List<?>) cases.get(i);
                names[i] = (String) c.get(0);
                args[i] = (Long) c.get(1);
            }

            double[] firstMs = new double[n];
            for (int i = 0; i < n; i++) { // every function's first call, before any of them is warm
                firstMs[i] = timeMs(py, names[i], args[i]);
                System.out.printf("P4: first call of %s(%d): %.1f ms%n", names[i], args[i], firstMs[i]);
            }
            int rounds = 0;
            long end = System.nanoTime() + WARM_UP.toNanos();
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                for (int i = 0; i < n; i++) { // round-robin, like the samples below
                    timeMs(py, names[i], args[i]);
                }
                rounds++;
            }
            // hzpy's pre-warm trains json's Python scanner while a context is idle: leave it idle until
            // that is done (at most JSON_WAIT), then warm up the functions again for WARM_UP
            long idleUntil = System.nanoTime() + JSON_WAIT.toNanos();
            while (!jsonScanner(py).equals("python") && System.nanoTime() < idleUntil) {
                Thread.sleep(1000);
            }
            end = System.nanoTime() + WARM_UP.toNanos();
            while (System.nanoTime() < end) {
                for (int i = 0; i < n; i++) {
                    timeMs(py, names[i], args[i]);
                }
                rounds++;
            }
            long warmUpSeconds = Math.round((System.nanoTime() - start) / 1e9);
            String scanner = jsonScanner(py);
            System.out.printf("P4: warmed up with %d rounds in %d s, json scanner %s%n", rounds, warmUpSeconds, scanner);
            double[][] warmMs = new double[n][SAMPLES];
            for (int s = 0; s < SAMPLES; s++) {
                for (int i = 0; i < n; i++) {
                    warmMs[i][s] = timeMs(py, names[i], args[i]);
                }
            }
            result.fact("graalpy", (String) py.eval(GraalPyVersion.EXPRESSION));
            report(result, names, args, cpython, firstMs, warmMs, rounds, warmUpSeconds, scanner);
        } finally {
            member.shutdown();
        }
        return result;
    }

    private CPythonTimings cpython(Result result) {
        try {
            CPythonTimings t = CPythonTimings.run(CPYTHON_WARM_UP_CALLS, CPYTHON_SAMPLES);
            result.fact("cpython", t.version + " (`python3` on PATH)");
            System.out.println("P4: " + t.version + " done");
            return t;
        } catch (Exception e) {
            System.err.println("P4: CPython side failed: " + e);
            result.add("CPython could not be run (" + e.getMessage() + "); its columns are empty.");
            return null;
        }
    }

    /** Which scanner json.loads uses in the member's context: "python" once hzpy's pre-warm has trained it. */
    private static String jsonScanner(Py py) {
        return (String) py.call("_hzpy_internal", "json_scanner");
    }

    private static double timeMs(Py py, String name, long arg) {
        long t0 = System.nanoTime();
        py.call("__main__", name, arg);
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void report(Result result, String[] names, long[] args, CPythonTimings cpython, double[] firstMs,
                               double[][] warmMs, int warmUpRounds, long warmUpSeconds, String jsonScanner) {
        result.add(String.format("The functions of `bench/src/main/resources/org/hzpy/bench/bench_functions.py`, "
                + "called through `py.call(\"__main__\", name, arg)` on a member with one context (default engine "
                + "sharing and sandbox). *First call*: each function once, right after the member reported its "
                + "context ready (hzpy's pre-warm done) and `py.exec(source)`. *Warm*: median of %d calls after "
                + "%d s of warm-up (%d rounds of calls for %d s; then the member idle until hzpy's pre-warm had trained "
                + "json's Python scanner, at most %d s; then rounds of calls again for as long; json decoded with its %s "
                + "scanner). CPython runs the same file in a subprocess that times "
                + "its own calls with `time.perf_counter` (%d warm-up calls, then %d samples per function).",
                SAMPLES, warmUpSeconds, warmUpRounds, WARM_UP.toSeconds(), JSON_WAIT.toSeconds(), jsonScanner,
                CPYTHON_WARM_UP_CALLS, CPYTHON_SAMPLES));
        Table table = new Table("function", "CPython median ms (p90)", "GraalPy warm median ms (p90)",
                "GraalPy first call ms", "warm speed-up vs CPython", "first / warm");
        double[] speedUps = new double[names.length];
        double[] firstOverWarm = new double[names.length];
        boolean allSpeedUps = cpython != null;
        int worst = 0;
        for (int i = 0; i < names.length; i++) {
            double warm = Stats.median(warmMs[i]);
            double[] cpy = cpython == null ? null : cpython.samplesMs.get(names[i]);
            double cpyMedian = cpy == null ? Double.NaN : Stats.median(cpy);
            allSpeedUps &= cpy != null;
            speedUps[i] = cpyMedian / warm;
            firstOverWarm[i] = firstMs[i] / warm;
            if (firstOverWarm[i] > firstOverWarm[worst]) {
                worst = i;
            }
            table.row("`" + names[i] + "(" + args[i] + ")`",
                    cpy == null ? "n/a" : Stats.fmt(cpyMedian) + " (" + Stats.fmt(Stats.percentile(cpy, 90)) + ")",
                    Stats.fmt(warm) + " (" + Stats.fmt(Stats.percentile(warmMs[i], 90)) + ")",
                    Stats.fmt(firstMs[i]), Stats.times(speedUps[i]), Stats.times(firstOverWarm[i]));
        }
        double geomean = allSpeedUps ? Stats.geomean(speedUps) : Double.NaN;
        table.row("**geomean**", "", "", "", "**" + Stats.times(geomean) + "**",
                Stats.times(Stats.geomean(firstOverWarm)));
        result.add(table.toMarkdown());
        result.goal(String.format("warm geomean ≥ %.0f× faster than CPython", GOAL_SPEED_UP), Stats.times(geomean),
                allSpeedUps ? geomean >= GOAL_SPEED_UP : null);
        if (allSpeedUps) {
            int slowest = 0;
            for (int i = 1; i < speedUps.length; i++) {
                slowest = speedUps[i] < speedUps[slowest] ? i : slowest;
            }
            result.goal("no function slower than CPython (warm)", "slowest " + names[slowest] + ": "
                    + Stats.times(speedUps[slowest]), speedUps[slowest] >= 1);
        }
        result.goal("first call after pre-warm ≤ 2× warm", "worst " + names[worst] + ": "
                + Stats.times(firstOverWarm[worst]), firstOverWarm[worst] <= GOAL_FIRST_OVER_WARM);
    }
}
