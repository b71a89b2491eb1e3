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
 * P13: newJob → last item of a 40-item Jet job whose Python ships with it, the first and the
 * tenth job on the same two warm members ({@link P13Probe}, a fresh JVM per repetition and
 * configuration of {@link Variants}).
 */
final class P13JetCold implements Benchmark {
    private static final int DEFAULT_REPS = 3;
    private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(8);

    @Override
    public String id() {
        return "P13";
    }

    @Override
    public String title() {
        return "Jet: newJob → last item of a 40-item job whose Python ships with it (first and tenth job)";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(10L * Variants.reps(DEFAULT_REPS) * Variants.fromEnvironment().size());
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        List<Variants.Variant> variants = Variants.fromEnvironment();
        int reps = Variants.reps(DEFAULT_REPS);
        int jobs = P13Probe.JOBS;
        double[][][] last = new double[variants.size()][jobs][reps];
        double[][][] done = new double[variants.size()][jobs][reps];
        for (int rep = 0; rep < reps; rep++) {
            for (int k = 0; k < variants.size(); k++) {
                int v = rep % 2 == 0 ? k : variants.size() - 1 - k;
                Properties p = probe(variants.get(v));
                for (int j = 0; j < jobs; j++) {
                    last[v][j][rep] = Double.parseDouble(p.getProperty("last." + (j + 1)));
                    done[v][j][rep] = Double.parseDouble(p.getProperty("done." + (j + 1)));
                }
            }
        }
        result.add(String.format("Each repetition starts a fresh JVM with two members of one cluster (one context "
                + "each, Jet and resource upload on, otherwise hzpy's defaults), waits until both are warm "
                + "(`py.awaitReady`, background warm-up and json training over, then the JVM idle as in P4b), then submits %d jobs one after "
                + "another from the first member: the demo's pipeline (%d orders from `TestSources.items`, "
                + "`PyTransforms.mapUsingPythonBatch` keyed by order id calling `pricing.price`, then "
                + "`filterUsingPythonBatch` calling `pricing.is_large`, batches of 8), its Python (`pricing.py`, "
                + "`rates.py`) attached to each job with `JobConfig.attachDirectory`. Times in ms from `newJob` to the "
                + "last order at the sink, and to the job's end; %d repetitions, median (min – max).",
                jobs, P13Probe.ORDERS, reps));
        List<String> header = new ArrayList<>(List.of("configuration", "job 1: newJob → last item", "job 1: → done",
                "job 2: → last item", "job 10: newJob → last item", "job 10: → done"));
        Table t = new Table(header.toArray(String[]::new));
        for (int v = 0; v < variants.size(); v++) {
            t.row(variants.get(v).describe(), cell(last[v][0]), cell(done[v][0]), cell(last[v][1]),
                    cell(last[v][jobs - 1]), cell(done[v][jobs - 1]));
        }
        result.add(t.toMarkdown());
        double first = Stats.median(last[0][0]);
        double tenth = Stats.median(last[0][jobs - 1]);
        result.add(String.format("As shipped: the first job's last item %s ms after `newJob`, the tenth's %s ms "
                + "(%s). For scale, the demo's first job took 7.4 s from a client, on members started just before.",
                Stats.fmt(first), Stats.fmt(tenth), Stats.times(first / tenth)));
        return result;
    }

    private static String cell(double[] ms) {
        return Stats.fmt(Stats.median(ms)) + " (" + Stats.fmt(Stats.min(ms)) + " – " + Stats.fmt(Stats.max(ms)) + ")";
    }

    private static Properties probe(Variants.Variant v) throws IOException, InterruptedException {
        Path file = Files.createTempFile("hzpy-bench-p13-", ".properties");
        try {
            int code = ChildJvm.run(PROBE_TIMEOUT, v.flags(), P13Probe.class, file.toString());
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            if (code != 0 || !p.containsKey("last.1")) {
                throw new IOException("the P13 probe (" + v.label() + ") exited with " + code);
            }
            return p;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
