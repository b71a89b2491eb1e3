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
 * P4b: the cold path. The first call of each P4 function in a warm member that has never run it
 * (a fresh JVM per repetition: {@link ColdProbe}) against CPython's first call of the same
 * function in a fresh interpreter, in the same run; per configuration of {@link Variants}.
 */
final class P4bCold implements Benchmark {
    private static final int DEFAULT_REPS = 3;
    /** Round-robin calls before the warm samples (HZPY_P4B_WARM_SECONDS overrides). */
    private static final int WARM_SECONDS = Integer.parseInt(System.getenv().getOrDefault("HZPY_P4B_WARM_SECONDS", "40"));
    private static final double GOAL_RATIO = 3;
    private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(15);

    @Override
    public String id() {
        return "P4b";
    }

    @Override
    public String title() {
        return "Cold path: the first call of new code in a warm member vs CPython's first call";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(12L * Variants.reps(DEFAULT_REPS) * Variants.fromEnvironment().size());
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        List<Variants.Variant> variants = Variants.fromEnvironment();
        int reps = Variants.reps(DEFAULT_REPS);
        List<List<Object>> cases = ColdProbe.cases(Resources.text(Resources.FUNCTIONS));
        int n = cases.size();
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = (String) cases.get(i).get(0);
        }
        double[][] cpythonFirst = new double[n][reps];
        String cpythonVersion = null;
        // per variant: [rep][function] first call (copy 1 and 2), warm; and the member's time to warm
        double[][][] first = new double[variants.size()][n][reps];
        double[][][] second = new double[variants.size()][n][reps];
        double[][][] warm = new double[variants.size()][n][reps];
        double[][][] cpu = new double[variants.size()][n][reps];
        double[][] warmMs = new double[variants.size()][reps];
        for (int rep = 0; rep < reps; rep++) {
            CPythonTimings cpy = CPythonTimings.run(1, 0);
            cpythonVersion = cpy.version;
            for (int i = 0; i < n; i++) {
                cpythonFirst[i][rep] = cpy.firstMs.get(names[i]);
            }
            for (int k = 0; k < variants.size(); k++) { // alternating order: a slow spell hits every variant alike
                int v = rep % 2 == 0 ? k : variants.size() - 1 - k;
                Properties p = probe(variants.get(v));
                warmMs[v][rep] = Double.parseDouble(p.getProperty("warmMs"));
                for (int i = 0; i < n; i++) {
                    first[v][i][rep] = Double.parseDouble(p.getProperty("first.1." + names[i]));
                    second[v][i][rep] = Double.parseDouble(p.getProperty("first.2." + names[i]));
                    warm[v][i][rep] = Double.parseDouble(p.getProperty("warm." + names[i]));
                    cpu[v][i][rep] = Double.parseDouble(p.getProperty("cpu.1." + names[i]));
                }
                System.out.printf("P4b: rep %d, %s: geomean first-call ratio %.2f%n", rep + 1, variants.get(v).label(),
                        geomeanRatio(first[v], cpythonFirst, rep));
            }
        }
        result.fact("cpython.p4b", cpythonVersion);
        result.add(String.format("The functions of `bench_functions.py` (P4's everyday set). Each repetition starts "
                + "a fresh JVM (same flags and class path as the benchmarks) with a member of one context (otherwise "
                + "hzpy's defaults: pre-warm on, an engine per context, strict sandbox), waits until it is warm "
                + "(`py.awaitReady`, its background warm-up — hzpy.warmup-modules, json's training — over, and then the JVM "
                + "idle: under 0.15 cores for a second, at most 60 s, so the compilations the warm-up queued are done), "
                + "then defines the functions "
                + "with `py.exec(source)`: code that member never ran (a fresh member per repetition). *First call*: "
                + "each function once, in the order below, through `py.call(\"__main__\", name, arg)`. *Copy 2*: the "
                + "same source exec'd again with a different first line (new code objects, but the standard library "
                + "and the compiled regexes already used by copy 1), first call of each. *Warm*: median of 7 calls "
                + "after %d s of round-robin calls (shorter than P4's warm-up, for first/warm only). CPython (%s): a "
                + "fresh `python3` per repetition loads the same file and times each function's first call "
                + "(`time.perf_counter`). %d repetitions; medians, with min – max.", WARM_SECONDS, cpythonVersion,
                reps));
        Table table = new Table("function", "CPython first call ms", "hzpy first call ms", "hzpy / CPython",
                "hzpy copy 2 first call ms", "hzpy warm ms", "hzpy first / warm");
        double[] ratios = new double[n];
        double[] firstOverWarm = new double[n];
        for (int i = 0; i < n; i++) {
            double cpy = Stats.median(cpythonFirst[i]);
            double hz = Stats.median(first[0][i]);
            double w = Stats.median(warm[0][i]);
            ratios[i] = hz / cpy;
            firstOverWarm[i] = hz / w;
            table.row("`" + names[i] + "(" + cases.get(i).get(1) + ")`", cell(cpythonFirst[i]), cell(first[0][i]),
                    Stats.times(ratios[i]), cell(second[0][i]), Stats.fmt(w), Stats.times(firstOverWarm[i]));
        }
        double geomean = Stats.geomean(ratios);
        table.row("**geomean**", "", "", "**" + Stats.times(geomean) + "**", "", "",
                Stats.times(Stats.geomean(firstOverWarm)));
        result.add(table.toMarkdown());
        result.add("Member start → warm (ms, median): " + Stats.fmt(Stats.median(warmMs[0])) + ".");
        if (variants.size() > 1) {
            result.add(variantsTable(variants, names, cpythonFirst, first, second, warm, cpu, warmMs));
        }
        result.goal("first call of new code ≤ 3× CPython's first call (geomean)", Stats.times(geomean),
                geomean <= GOAL_RATIO);
        return result;
    }

    private static String variantsTable(List<Variants.Variant> variants, String[] names, double[][] cpythonFirst,
                                        double[][][] first, double[][][] second, double[][][] warm, double[][][] cpu,
                                        double[][] warmMs) {
        List<String> header = new ArrayList<>(List.of("configuration", "geomean first / CPython first",
                "geomean copy 2 / CPython first", "JVM CPU of the first calls vs as shipped (geomean)",
                "warm geomean vs as shipped", "start → warm ms"));
        for (String name : names) {
            header.add(name + " first ms");
        }
        Table t = new Table(header.toArray(String[]::new));
        double baseWarm = geomeanOfMedians(warm[0]);
        double baseCpu = geomeanOfMedians(cpu[0]);
        for (int v = 0; v < variants.size(); v++) {
            List<String> row = new ArrayList<>(List.of(variants.get(v).describe(),
                    Stats.times(ratioOfMedians(first[v], cpythonFirst)), Stats.times(ratioOfMedians(second[v], cpythonFirst)),
                    Stats.times(geomeanOfMedians(cpu[v]) / baseCpu), Stats.times(geomeanOfMedians(warm[v]) / baseWarm), Stats.fmt(Stats.median(warmMs[v]))));
            for (int i = 0; i < names.length; i++) {
                row.add(Stats.fmt(Stats.median(first[v][i])));
            }
            t.row(row.toArray(String[]::new));
        }
        return "Configurations compared in this run (fresh JVMs, alternating; warm geomean above 1 is slower warm "
                + "code; *JVM CPU*: the process's CPU time during each first call, compiler threads included, which a "
                + "busy machine stretches less than wall time):\n\n" + t.toMarkdown();
    }

    private static double ratioOfMedians(double[][] hzpy, double[][] cpython) {
        double[] r = new double[hzpy.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = Stats.median(hzpy[i]) / Stats.median(cpython[i]);
        }
        return Stats.geomean(r);
    }

    private static double geomeanOfMedians(double[][] ms) {
        double[] m = new double[ms.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = Stats.median(ms[i]);
        }
        return Stats.geomean(m);
    }

    private static double geomeanRatio(double[][] hzpy, double[][] cpython, int rep) {
        double[] r = new double[hzpy.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = hzpy[i][rep] / cpython[i][rep];
        }
        return Stats.geomean(r);
    }

    private static String cell(double[] ms) {
        return ms.length == 1 ? Stats.fmt(ms[0])
                : Stats.fmt(Stats.median(ms)) + " (" + Stats.fmt(Stats.min(ms)) + " – " + Stats.fmt(Stats.max(ms)) + ")";
    }

    private static Properties probe(Variants.Variant v) throws IOException, InterruptedException {
        Path file = Files.createTempFile("hzpy-bench-p4b-", ".properties");
        try {
            int code = ChildJvm.run(PROBE_TIMEOUT, v.flags(), ColdProbe.class, file.toString(),
                    String.valueOf(WARM_SECONDS));
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            if (code != 0 || !p.containsKey("warmMs")) {
                throw new IOException("the P4b probe (" + v.label() + ") exited with " + code);
            }
            return p;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
