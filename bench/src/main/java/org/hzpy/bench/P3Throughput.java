package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * P3: sustained throughput of a CPU-bound Python call from two Java threads, with one ISOLATED
 * context, two ISOLATED contexts, and one SHARED context with two executors. One member per
 * configuration, one after another.
 */
final class P3Throughput implements Benchmark {
    /** About 20-60 ms per call once compiled: long enough that per-call overhead does not matter. */
    private static final String FUNCTION = "fib";
    private static final long ARG = 30;
    private static final int THREADS = 2;
    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final Duration MIN_WARM_UP = Duration.ofSeconds(30);
    private static final Duration MAX_WARM_UP = Duration.ofSeconds(120);
    /** Warm-up also waits until the compiler threads use under this many cores in each of the stable windows. */
    private static final double COMPILER_QUIET_CORES = 0.05;
    /** Warm-up ends when the last STABLE_WINDOWS windows are within this fraction of each other. */
    private static final double STABLE = 0.05;
    private static final int WINDOWS = 8;
    /** Warm-up ends when this many consecutive windows agree; 3 was fooled by a JIT plateau once. */
    private static final int STABLE_WINDOWS = 4;
    private static final double GOAL_SCALING = 1.8;
    private static final int ENGINE_ROUNDS = 6;

    private record Config(String label, int contexts, Map<String, String> properties) {
    }

    private record Measured(double[] callsPerSecond, long warmUpSeconds, double compilerCores) {
        double median() {
            return Stats.median(callsPerSecond);
        }
    }

    private static final List<Config> CONFIGS = List.of(
            new Config("ISOLATED, 1 context", 1,
                    Map.of("hzpy.execution-mode", "isolated", "hzpy.contexts", "1", "hzpy.max-concurrent", "8")),
            new Config("ISOLATED, 2 contexts", 2,
                    Map.of("hzpy.execution-mode", "isolated", "hzpy.contexts", "2", "hzpy.max-concurrent", "8")),
            new Config("SHARED, 1 context, 2 executors", 1,
                    Map.of("hzpy.execution-mode", "shared", "hzpy.executors", "2", "hzpy.max-concurrent", "8")),
            new Config("ISOLATED, 2 contexts, `hzpy.engine=shared`", 2,
                    Map.of("hzpy.execution-mode", "isolated", "hzpy.contexts", "2", "hzpy.max-concurrent", "8",
                            "hzpy.engine", "shared")));

    @Override
    public String id() {
        return "P3";
    }

    @Override
    public String title() {
        return "CPU-bound throughput: 1 vs 2 contexts";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(20); // six members, each waiting for json's training (10 min ran out on 2026-11-30)
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        double machineScaling = javaScaling();
        List<Measured> measured = new ArrayList<>();
        for (Config c : CONFIGS) {
            measured.add(measure(c, result));
        }
        result.add(String.format("%d Java threads call `%s(%d)` (bench_functions.py) in a loop through `py.call`. "
                + "Each configuration runs on a fresh member (in this JVM, one after another); all but the last "
                + "use the default engine per context. The member's compiler first goes quiet after its start-up; "
                + "warm-up then lasts until the last %d windows of %d s agree within %.0f%% and in each the JIT "
                + "compiler's threads used under %s cores (at least %d s, at most %d s); then %d windows of %d s are "
                + "counted. The last column is the compiler threads' mean use during those windows.",
                THREADS, FUNCTION, ARG, STABLE_WINDOWS, WINDOW.toSeconds(), STABLE * 100, Stats.fmt(COMPILER_QUIET_CORES),
                MIN_WARM_UP.toSeconds(), MAX_WARM_UP.toSeconds(), WINDOWS, WINDOW.toSeconds()));
        Table table = new Table("configuration", "calls/s (median)", "min – max window", "vs 1 context",
                "warm-up s", "compiler threads, cores");
        double base = measured.get(0).median();
        for (int i = 0; i < measured.size(); i++) {
            Measured m = measured.get(i);
            table.row(CONFIGS.get(i).label(), Stats.fmt(m.median()),
                    Stats.fmt(Stats.min(m.callsPerSecond())) + " – " + Stats.fmt(Stats.max(m.callsPerSecond())),
                    Stats.times(m.median() / base), m.warmUpSeconds(), Stats.fmt(m.compilerCores()));
        }
        result.add(table.toMarkdown());
        result.add("With one context the second thread waits for the first (one call at a time); SHARED mode lets "
                + "both threads into one context, where GraalPy's GIL still runs one at a time. For scale: on this "
                + "machine a plain Java integer loop runs " + Stats.times(machineScaling) + " as fast on 2 threads "
                + "as on 1 (median of 3 alternating 2 s rounds, measured before the members started).");
        compareEngines(result);
        double scaling = measured.get(1).median() / base;
        result.goal("2 contexts ≥ 1.8× the throughput of 1", Stats.times(scaling), scaling >= GOAL_SCALING);
        return result;
    }

    private Measured measure(Config config, Result result) throws InterruptedException {
        HazelcastInstance member = Members.start(config.properties());
        try {
            Py py = Members.ready(member, config.contexts());
            Members.recordEngine(result, py);
            py.exec(Resources.text(Resources.FUNCTIONS));
            Members.awaitCompilerQuiet(); // the background warm-up's compile backlog is the member's start-up, not P3's
            Load load = new Load(py);
            try {
                long warmUpSeconds = load.warmUp();
                double[] rates = new double[WINDOWS];
                double[] compiling = new double[WINDOWS];
                for (int i = 0; i < WINDOWS; i++) {
                    rates[i] = load.window();
                    compiling[i] = load.lastCompilerCores();
                }
                double compilerCores = java.util.Arrays.stream(compiling).average().orElse(Double.NaN);
                System.out.printf("P3: %s: %s calls/s after %d s warm-up (windows %s); compiler threads %.2f cores%n",
                        config.label(), Stats.fmt(Stats.median(rates)), warmUpSeconds,
                        java.util.Arrays.toString(rates), compilerCores);
                return new Measured(rates, warmUpSeconds, compilerCores);
            } finally {
                load.stop();
            }
        } finally {
            member.shutdown();
        }
    }

    /**
     * The engine default, measured alternately: a member per {@code hzpy.engine} value (2 contexts
     * each, both alive), each warmed up, then one window on each in turn, ENGINE_ROUNDS times.
     */
    private void compareEngines(Result result) throws InterruptedException {
        List<String> engines = List.of("per-context", "shared");
        List<HazelcastInstance> members = new ArrayList<>();
        try {
            List<Py> pys = new ArrayList<>();
            for (String engine : engines) {
                HazelcastInstance member = Members.start(Map.of("hzpy.execution-mode", "isolated", "hzpy.contexts", "2",
                        "hzpy.max-concurrent", "8", "hzpy.engine", engine));
                members.add(member);
                Py py = Members.ready(member, 2);
                py.exec(Resources.text(Resources.FUNCTIONS));
                pys.add(py);
            }
            Members.awaitCompilerQuiet();
            long[] warmUpSeconds = new long[engines.size()];
            for (int e = 0; e < engines.size(); e++) {
                Load load = new Load(pys.get(e));
                try {
                    warmUpSeconds[e] = load.warmUp();
                } finally {
                    load.stop();
                }
            }
            double[][] rates = new double[engines.size()][ENGINE_ROUNDS];
            for (int round = 0; round < ENGINE_ROUNDS; round++) {
                for (int k = 0; k < engines.size(); k++) {
                    int e = round % 2 == 0 ? k : engines.size() - 1 - k; // the order flips every round
                    Load load = new Load(pys.get(e));
                    try {
                        rates[e][round] = load.window();
                    } finally {
                        load.stop();
                    }
                }
            }
            result.add(String.format("**The engine default, alternately.** A member per `hzpy.engine` value (ISOLATED, "
                    + "2 contexts, both members alive in this JVM), each warmed up as above, then %d rounds of one %d s "
                    + "window on each, the order flipped every round.", ENGINE_ROUNDS, WINDOW.toSeconds()));
            Table table = new Table("`hzpy.engine`", "calls/s (median)", "min – max window", "vs shared", "warm-up s");
            double shared = Stats.median(rates[1]);
            for (int e = 0; e < engines.size(); e++) {
                table.row(engines.get(e) + (e == 0 ? " (the default)" : ""), Stats.fmt(Stats.median(rates[e])),
                        Stats.fmt(Stats.min(rates[e])) + " – " + Stats.fmt(Stats.max(rates[e])),
                        Stats.times(Stats.median(rates[e]) / shared), warmUpSeconds[e]);
            }
            result.add(table.toMarkdown());
        } finally {
            for (HazelcastInstance member : members) {
                member.shutdown();
            }
        }
    }

    /** THREADS Java threads calling the CPU-bound function in a loop, until stopped. */
    private static final class Load {
        private final LongAdder calls = new LongAdder();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        private final CompilerCpu compiler = new CompilerCpu();
        private double lastCompilerCores;

        Load(Py py) {
            Runnable loop = () -> {
                try {
                    while (running.get()) {
                        py.call("__main__", FUNCTION, ARG);
                        calls.increment();
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            };
            for (int i = 0; i < THREADS; i++) {
                Thread t = new Thread(loop, "p3-caller-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        /**
         * Windows until the last STABLE_WINDOWS agree and the compiler threads used under
         * COMPILER_QUIET_CORES in each of them (within MIN_WARM_UP .. MAX_WARM_UP); its length in s.
         * Rates alone stopped on a plateau once: with 2 contexts (an engine each) the windows sat
         * at ~135 calls/s for ~30 s while the second engine compiled, then jumped to ~213.
         */
        long warmUp() throws InterruptedException {
            long w0 = System.nanoTime();
            List<Double> warm = new ArrayList<>();
            List<Double> compiling = new ArrayList<>();
            do {
                warm.add(window());
                compiling.add(lastCompilerCores);
            } while (System.nanoTime() - w0 < MAX_WARM_UP.toNanos()
                    && (System.nanoTime() - w0 < MIN_WARM_UP.toNanos() || !stable(warm) || !quiet(compiling)));
            System.out.printf("P3: warm-up windows (calls/s) %s; compiler threads' cores %s%n",
                    warm.stream().map(Stats::fmt).toList(), compiling.stream().map(Stats::fmt).toList());
            return Math.round((System.nanoTime() - w0) / 1e9);
        }

        /** Counts the calls completed in one window, as calls per second. */
        double window() throws InterruptedException {
            long before = calls.sum();
            compiler.coresSinceLastCall();
            long t0 = System.nanoTime();
            Thread.sleep(WINDOW.toMillis());
            double rate = (calls.sum() - before) / ((System.nanoTime() - t0) / 1e9);
            lastCompilerCores = compiler.coresSinceLastCall();
            if (failure.get() != null) {
                throw new IllegalStateException("a P3 call failed", failure.get());
            }
            return rate;
        }

        /** The cores the compiler threads used during the last {@link #window()}. */
        double lastCompilerCores() {
            return lastCompilerCores;
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }

    /** What the machine itself gives: work done by 2 threads over 1 in a pure-Java loop. */
    private static double javaScaling() throws InterruptedException {
        double[] ratios = new double[3];
        for (int r = 0; r < ratios.length; r++) {
            long one = Spin.run(1, 2000);
            long two = Spin.run(2, 2000);
            ratios[r] = two / (double) one;
        }
        return Stats.median(ratios);
    }

    private static boolean quiet(List<Double> compilerCores) {
        if (compilerCores.size() < STABLE_WINDOWS) {
            return false;
        }
        for (double c : compilerCores.subList(compilerCores.size() - STABLE_WINDOWS, compilerCores.size())) {
            if (c >= COMPILER_QUIET_CORES) {
                return false;
            }
        }
        return true;
    }

    private static boolean stable(List<Double> windows) {
        if (windows.size() < STABLE_WINDOWS) {
            return false;
        }
        List<Double> last = windows.subList(windows.size() - STABLE_WINDOWS, windows.size());
        double min = last.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = last.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return min > 0 && max / min - 1 <= STABLE;
    }
}
