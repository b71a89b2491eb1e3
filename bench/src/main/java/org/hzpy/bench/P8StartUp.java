package org.hzpy.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * P8: from spawning a member JVM to the first Python result on it, with default settings and
 * with {@code hzpy.prewarm=false}. Each run is a fresh JVM ({@link StartUpProbe}) with this JVM's
 * flags and class path.
 */
final class P8StartUp implements Benchmark {
    private static final int RUNS = 3;
    private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(2);
    private static final List<String> STEPS = List.of("jvmStart", "main", "memberUp", "contextReady", "firstResult");
    private static final List<String> LABELS = List.of("JVM started (RuntimeMXBean start time)", "main() entered",
            "member started (newHazelcastInstance returned)", "`py.awaitReady(1, …)` returned",
            "**first Python result**");
    private static final int MEMBER_UP = 2;
    private static final int FIRST_RESULT = 4;
    private static final double GOAL_MS = 3000;
    /** What else was tried on the way to the fast start (issue 10), measured on this machine kind on 2026-11-30. */
    private static final String VARIANTS = """
            Variants tried before (bare GraalPy program or this probe, spawn → first result, medians of 3 on a busy \
            2-core machine, so only their order counts): interpreter only 3.2–5.8 s; interpreter only with an AOT \
            cache 2.5 s; the compiler jars on `--module-path` of the stock JDK **failed** ("Cannot find package \
            containing Truffle runtime in jdk.graal.compiler module": the JDK's empty module of that name wins); \
            `jlink` with the real compiler jar on its module path **failed** the same way (jlink took the empty \
            module); the JDK without that module and everything on `--module-path`, no AOT cache: 8.0–9.3 s (no \
            gain: the cache is what helps); the same with the AOT cache 3.1 s (the probe: 3.5–3.9 s), plus \
            `-XX:TieredStopAtLevel=1` 2.2–2.7 s (Python's JIT unaffected, Hazelcast's own code C1-only: not made \
            the default), plus `-XX:+UseSerialGC` or `-XX:CICompilerCount=2` no change, \
            `-Dpolyglot.engine.BackgroundCompilation=false` 17.9 s; Truffle's modules linked into the image \
            too: no change. `-XX:ArchiveClassesAtExit` and `-XX:AOTCacheOutput` with `--upgrade-module-path`: \
            **refused** by the JVM.""";

    @Override
    public String id() {
        return "P8";
    }

    @Override
    public String title() {
        return "JVM start → first Python result";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(6);
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        FastStart fast = FastStart.build();
        double[][] defaults = new double[STEPS.size()][RUNS];
        double[][] noPrewarm = new double[STEPS.size()][RUNS];
        double[][] fastStart = new double[STEPS.size()][RUNS];
        String fastEngine = null;
        for (int run = 0; run < RUNS; run++) { // alternating, so a slow spell of the machine hits all alike
            measure(null, "default", run, defaults);
            measure(null, "false", run, noPrewarm);
            fastEngine = measure(fast, "default", run, fastStart);
        }
        result.add(String.format("%d runs per column, alternating. Each spawns a fresh JVM (same java, flags and "
                + "class path as the benchmarks) that starts an embedded member with the plugin (default hzpy "
                + "settings: as many contexts as cores, pre-warm on, an engine per context; the second column sets "
                + "`hzpy.prewarm=false`) and at once calls `py.call(\"math\", \"sqrt\", 16)`, which waits for the "
                + "first ready context. Times are ms since the parent called `ProcessBuilder.start()`, as median "
                + "(min – max). A second thread waits in `py.awaitReady(1, …)` meanwhile (ready and, with "
                + "pre-warm, warmed up), so that row may come after the first result.", RUNS));
        result.add("The third column is the same probe (default settings) started the fast way that "
                + "`scripts/fast-start.sh` builds: a `jlink`ed copy of the JDK without its empty `jdk.graal.compiler` "
                + "module, GraalVM's jars and the Graal compiler as named modules on `--module-path` (no "
                + "`--upgrade-module-path`, which switches off every class-data archive), the rest of the class "
                + "path as jars, and a JDK 25 AOT cache from one training run of the probe. " + fast.describe()
                + " Its engine: " + fastEngine + ".");
        Table table = new Table("step", "default settings, ms", "`hzpy.prewarm=false`, ms",
                "default settings, fast start, ms");
        for (int s = 0; s < STEPS.size(); s++) {
            table.row(LABELS.get(s), cell(defaults[s]), cell(noPrewarm[s]), cell(fastStart[s]));
        }
        result.add(table.toMarkdown());
        result.add(VARIANTS);
        double first = Stats.median(defaults[FIRST_RESULT]);
        double memberUp = Stats.median(defaults[MEMBER_UP]);
        double fastFirst = Stats.median(fastStart[FIRST_RESULT]);
        result.add(String.format("With default settings the first result comes %s ms after spawn, %s ms after the "
                + "member is up; with `hzpy.prewarm=false` it comes %s ms after spawn; started the fast way, %s ms "
                + "after spawn (%s of the usual launch).", Stats.fmt(first), Stats.fmt(first - memberUp),
                Stats.fmt(Stats.median(noPrewarm[FIRST_RESULT])), Stats.fmt(fastFirst), Stats.times(fastFirst / first)));
        result.goal("JVM start → first result ≤ 3 s (usual launch)", Stats.fmt(first) + " ms", first <= GOAL_MS);
        result.goal("JVM start → first result ≤ 3 s (fast start, JIT active)", Stats.fmt(fastFirst) + " ms",
                fastFirst <= GOAL_MS && !"Interpreted".equals(fastEngine));
        return result;
    }

    /**
     * Fills {@code ms[step][run]} from one fresh JVM with {@code hzpy.prewarm} set to {@code prewarm},
     * started as this one was or, with {@code fast}, the fast way. Returns its engine's name.
     */
    private static String measure(FastStart fast, String prewarm, int run, double[][] ms)
            throws IOException, InterruptedException {
        Properties p = probe(fast, prewarm);
        for (int s = 0; s < STEPS.size(); s++) {
            ms[s][run] = Double.parseDouble(p.getProperty(STEPS.get(s)));
        }
        System.out.printf("P8: %sprewarm %s, run %d: first result %.0f ms after spawn (%s)%n",
                fast == null ? "" : "fast start, ", prewarm, run + 1, ms[FIRST_RESULT][run], p.getProperty("engine"));
        return p.getProperty("engine");
    }

    private static String cell(double[] ms) {
        return Stats.fmt(Stats.median(ms)) + " (" + Stats.fmt(Stats.min(ms)) + " – " + Stats.fmt(Stats.max(ms)) + ")";
    }

    private static Properties probe(FastStart fast, String prewarm) throws IOException, InterruptedException {
        Path file = Files.createTempFile("hzpy-bench-p8-", ".properties");
        try {
            List<String> command = new ArrayList<>(fast == null
                    ? ChildJvm.command(StartUpProbe.class, file.toString(), prewarm)
                    : fast.command(StartUpProbe.class, file.toString(), prewarm));
            long spawnedAt = System.currentTimeMillis();
            command.add(String.valueOf(spawnedAt)); // the last thing before the start
            Process process = new ProcessBuilder(command).inheritIO().start();
            int code = ChildJvm.await(process, PROBE_TIMEOUT, "the start-up probe");
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            if (code != 0 || !p.containsKey("firstResult")) {
                throw new IOException("the start-up probe exited with " + code);
            }
            return p;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
