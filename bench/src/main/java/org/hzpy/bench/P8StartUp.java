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
        double[][] defaults = new double[STEPS.size()][RUNS];
        double[][] noPrewarm = new double[STEPS.size()][RUNS];
        for (int run = 0; run < RUNS; run++) { // alternating, so a slow spell of the machine hits both alike
            measure("default", run, defaults);
            measure("false", run, noPrewarm);
        }
        result.add(String.format("%d runs per column, alternating. Each spawns a fresh JVM (same java, flags and "
                + "class path as the benchmarks) that starts an embedded member with the plugin (default hzpy "
                + "settings: as many contexts as cores, pre-warm on, shared engine; the second column sets "
                + "`hzpy.prewarm=false`) and at once calls `py.call(\"math\", \"sqrt\", 16)`, which waits for the "
                + "first ready context. Times are ms since the parent called `ProcessBuilder.start()`, as median "
                + "(min – max). A second thread waits in `py.awaitReady(1, …)` meanwhile (ready and, with "
                + "pre-warm, warmed up), so that row may come after the first result.", RUNS));
        Table table = new Table("step", "default settings, ms", "`hzpy.prewarm=false`, ms");
        for (int s = 0; s < STEPS.size(); s++) {
            table.row(LABELS.get(s), cell(defaults[s]), cell(noPrewarm[s]));
        }
        result.add(table.toMarkdown());
        double first = Stats.median(defaults[FIRST_RESULT]);
        double memberUp = Stats.median(defaults[MEMBER_UP]);
        result.add(String.format("With default settings the first result comes %s ms after spawn, %s ms after the "
                + "member is up; with `hzpy.prewarm=false` it comes %s ms after spawn.", Stats.fmt(first),
                Stats.fmt(first - memberUp), Stats.fmt(Stats.median(noPrewarm[FIRST_RESULT]))));
        result.goal("JVM start → first result ≤ 3 s", Stats.fmt(first) + " ms", first <= GOAL_MS);
        return result;
    }

    /** Fills {@code ms[step][run]} from one fresh JVM with {@code hzpy.prewarm} set to {@code prewarm}. */
    private static void measure(String prewarm, int run, double[][] ms) throws IOException, InterruptedException {
        Properties p = probe(prewarm);
        for (int s = 0; s < STEPS.size(); s++) {
            ms[s][run] = Double.parseDouble(p.getProperty(STEPS.get(s)));
        }
        System.out.printf("P8: prewarm %s, run %d: first result %.0f ms after spawn%n", prewarm, run + 1,
                ms[FIRST_RESULT][run]);
    }

    private static String cell(double[] ms) {
        return Stats.fmt(Stats.median(ms)) + " (" + Stats.fmt(Stats.min(ms)) + " – " + Stats.fmt(Stats.max(ms)) + ")";
    }

    private static Properties probe(String prewarm) throws IOException, InterruptedException {
        Path file = Files.createTempFile("hzpy-bench-p8-", ".properties");
        try {
            List<String> command = new ArrayList<>(ChildJvm.command(StartUpProbe.class, file.toString(), prewarm));
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
