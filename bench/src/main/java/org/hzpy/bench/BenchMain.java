package org.hzpy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the hzpy benchmark suite and writes the report.
 *
 * <pre>
 * BenchMain [--out FILE] [all | P1 P2 P3 P4 P4b P5 P6 P7 P8 P9 P10 P11 P12 P13 ...]   run the benchmarks, one fresh JVM each, and write FILE
 * BenchMain --child ID RESULT_FILE                   (internal) run one benchmark in this JVM
 * </pre>
 */
public final class BenchMain {
    private static final Map<String, Benchmark> BENCHMARKS = new LinkedHashMap<>();

    static {
        for (Benchmark b : List.of(new P1CallOverhead(), new P2RemoteCall(), new P3Throughput(), new P4Functions(),
                new P4bCold(), new P5JetPython(), new P6ClusterLimit(), new P7Memory(), new P8StartUp(), new P9Callbacks(),
                new P10Streams(), new P11Asyncio(), new P12Deploy(), new P13JetCold(), new P14RoundTrips())) {
            BENCHMARKS.put(b.id(), b);
        }
    }

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Logs.quiet();
        if (args.length == 3 && args[0].equals("--child")) {
            System.exit(runChild(benchmark(args[1]), Path.of(args[2])));
        }
        Path out = Path.of("docs", "benchmarks.md");
        List<Benchmark> selected = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = Path.of(args[++i]);
            } else if (args[i].equalsIgnoreCase("all")) {
                selected.addAll(BENCHMARKS.values());
            } else {
                selected.add(benchmark(args[i]));
            }
        }
        if (selected.isEmpty()) {
            selected.addAll(BENCHMARKS.values());
        }
        boolean allMeasured = runAll(selected.stream().distinct().toList(), out);
        System.exit(allMeasured ? 0 : 1);
    }

    /** Runs the benchmarks one after another and writes the report; false if any of them failed. */
    private static boolean runAll(List<Benchmark> benchmarks, Path out) throws Exception {
        ZonedDateTime started = ZonedDateTime.now();
        long t0 = System.nanoTime();
        Machine machine = Machine.describe();
        String loadBefore = Machine.loadAverage();
        List<Result> results = new ArrayList<>();
        for (Benchmark b : benchmarks) {
            String load = Machine.loadAverage();
            System.out.printf("%n=== %s: %s (load average %s) ===%n", b.id(), b.title(), load);
            long b0 = System.nanoTime();
            CpuMeter cpu = CpuMeter.start();
            Result r = runInChildJvm(b);
            long seconds = (System.nanoTime() - b0) / 1_000_000_000L;
            double others = cpu.otherCores();
            r.add(String.format("_Ran %d s. Other processes on the machine used %s cores on average meanwhile "
                    + "(load average when it started: %s, when it ended: %s)._", seconds, Stats.fmt(others), load,
                    Machine.loadAverage()));
            r.fact("others." + b.id(), Stats.fmt(others));
            results.add(r);
            System.out.printf("=== %s done in %d s ===%n", b.id(), seconds);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        Report.write(out, machine, started, took, loadBefore, Machine.loadAverage(), results);
        System.out.printf("%nWrote %s (%d benchmarks, %d min %d s)%n", out.toAbsolutePath(), results.size(),
                took.toMinutes(), took.toSecondsPart());
        List<String> failed = results.stream().filter(Result::failed).map(r -> r.id).toList();
        if (!failed.isEmpty()) {
            System.err.println("Not measured (see the output above): " + String.join(" ", failed));
        }
        return failed.isEmpty();
    }

    private static Result runInChildJvm(Benchmark b) {
        try {
            Path file = Files.createTempFile("hzpy-bench-" + b.id() + "-", ".properties");
            try {
                int code = ChildJvm.run(b.timeout(), List.of(), b.environment(), BenchMain.class, "--child", b.id(),
                        file.toString());
                if (code != 0 || Files.size(file) == 0) {
                    return Result.failed(b.id(), b.title(), "its JVM exited with code " + code
                            + " (the console output of the run shows why).");
                }
                return Result.load(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (Exception e) {
            return Result.failed(b.id(), b.title(), e.toString());
        }
    }

    private static int runChild(Benchmark b, Path resultFile) {
        try {
            b.run().save(resultFile);
            return 0;
        } catch (Throwable e) {
            System.err.println(b.id() + " failed:");
            e.printStackTrace();
            return 1;
        }
    }

    private static Benchmark benchmark(String id) {
        Benchmark b = BENCHMARKS.values().stream().filter(x -> x.id().equalsIgnoreCase(id)).findFirst().orElse(null);
        if (b == null) {
            System.err.println("Unknown benchmark '" + id + "'; known: all " + String.join(" ", BENCHMARKS.keySet()));
            System.exit(2);
        }
        return b;
    }
}
