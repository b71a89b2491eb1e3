package org.hzpy.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * P8: from running the member distribution's launcher to the first Python result, JIT active. The
 * built tarball (distribution/target/hzpy-member-*.tar.gz) is unpacked under bench/target/p8;
 * each run is {@code bin/hzpy-member check RESULT_FILE}: the launcher finds Java, reads
 * conf/jvm.options, checks the fast start's cache and starts a member (alone in a cluster of its
 * own) that calls {@code math.sqrt(16)} at once. The first run builds the cache; then runs with it
 * and with {@code HZPY_FAST_START=off} (the JIT flags only) alternate.
 */
final class P8StartUp implements Benchmark {
    private static final int RUNS = 5;
    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final Duration BUILD_LIMIT = Duration.ofMinutes(15);
    private static final List<String> STEPS = List.of("jvmStart", "main", "memberUp", "firstResult");
    private static final List<String> LABELS = List.of("JVM started (RuntimeMXBean start time)", "main() entered",
            "member started (newHazelcastInstance returned)", "**first Python result**");
    private static final int FIRST_RESULT = 3;
    /** Where the CPU went until the first result (ms, written by the check itself). */
    private static final List<String> CPU = List.of("cpuProcessMs", "cpuTruffleCompilerMs", "hotspotCompileMs");
    private static final List<String> CPU_LABELS = List.of("CPU time of the JVM until the first result (both cores)",
            "… of it, Truffle's compiler threads (compiling Python)",
            "HotSpot's JIT time until then (Hazelcast's, hzpy's and the Graal compiler's own Java code)");
    private static final double GOAL_MS = 2000;
    /** What was tried before (issue 10), measured on this machine kind on 2026-11-30 with an in-JVM probe. */
    private static final String VARIANTS = """
            Variants tried before (issue 10; a bare GraalPy program or an embedded-member probe, spawn → first result, \
            medians of 3 on a busy 2-core machine, so only their order counts): interpreter only 3.2–5.8 s; \
            interpreter only with an AOT cache 2.5 s; the compiler jars on `--module-path` of the stock JDK \
            **failed** ("Cannot find package containing Truffle runtime in jdk.graal.compiler module": the JDK's \
            empty module of that name wins); `jlink` with the real compiler jar on its module path **failed** the \
            same way; the JDK without that module and everything on `--module-path`, no AOT cache: 8.0–9.3 s; the \
            same with the AOT cache 3.1 s (the probe: 3.5–3.9 s), plus `-XX:TieredStopAtLevel=1` 2.2–2.7 s \
            (Hazelcast's own code C1-only: not made the default), plus `-XX:+UseSerialGC` or \
            `-XX:CICompilerCount=2` no change, `-Dpolyglot.engine.BackgroundCompilation=false` 17.9 s; \
            `-XX:ArchiveClassesAtExit` and `-XX:AOTCacheOutput` with `--upgrade-module-path`: **refused** by the JVM.""";

    @Override
    public String id() {
        return "P8";
    }

    @Override
    public String title() {
        return "JVM start → first Python result (the member distribution's launcher)";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(30);
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        Path home = unpack();
        long t0 = System.nanoTime();
        Properties first = check(home, true); // builds the fast start
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("P8: first start (fast start built) %.1f s%n", buildSeconds);
        double[][] cached = new double[STEPS.size() + CPU.size()][RUNS];
        double[][] plain = new double[STEPS.size() + CPU.size()][RUNS];
        String engine = first.getProperty("engine");
        boolean jit = true;
        for (int run = 0; run < RUNS; run++) { // alternating, so a slow spell of the machine hits both alike
            jit &= measure(home, true, run, cached);
            jit &= measure(home, false, run, plain);
        }
        result.add(String.format("%d runs per column, alternating, after a first start that built the fast start "
                + "(%.0f s here, with its training run; %d MB in cache/). Each runs `bin/hzpy-member check` of the "
                + "unpacked tarball: the launcher (bash: finds Java, reads conf/jvm.options, checks the cache's key) "
                + "starts a JVM that starts a member from conf/hazelcast.yaml (default hzpy settings: as many "
                + "contexts as cores, pre-warm on), alone in a cluster of its own, and calls `math.sqrt(16)` at "
                + "once. Times are ms since P8 called `ProcessBuilder.start()`, as median (min – max). With the "
                + "cache: the fast start (a `jlink`ed JDK without its empty `jdk.graal.compiler` module, GraalVM's "
                + "jars and the compiler as named modules, the JDK 25 AOT cache of a training run that starts a "
                + "member and runs Python in every context). Without: `HZPY_FAST_START=off`, the JIT flags of "
                + "conf/jvm.options (`--upgrade-module-path`). Engine: %s.", RUNS, buildSeconds,
                megabytes(home.resolve("cache")), engine));
        Table table = new Table("step", "launcher with the cache, ms", "launcher, `HZPY_FAST_START=off`, ms");
        for (int s = 0; s < STEPS.size(); s++) {
            table.row(LABELS.get(s), cell(cached[s]), cell(plain[s]));
        }
        for (int c = 0; c < CPU.size(); c++) {
            int s = STEPS.size() + c;
            table.row(CPU_LABELS.get(c), cell(cached[s]), cell(plain[s]));
        }
        result.add(table.toMarkdown());
        result.add(VARIANTS);
        double fast = Stats.median(cached[FIRST_RESULT]);
        double slow = Stats.median(plain[FIRST_RESULT]);
        double cpu = Stats.median(cached[STEPS.size()]);
        double truffle = Stats.median(cached[STEPS.size() + 1]);
        result.add(String.format("With the cache the first result comes %s ms after the launcher starts, without it "
                + "%s ms (%s). With the cache the JVM has used %s ms of CPU by then (%s of the wall time since "
                + "spawn, on %d cores), %s ms of it in Truffle's compiler threads.", Stats.fmt(fast),
                Stats.fmt(slow), Stats.times(fast / slow), Stats.fmt(cpu), Stats.times(cpu / fast),
                Runtime.getRuntime().availableProcessors(), Stats.fmt(truffle)));
        result.goal("launcher → first result ≤ 2 s (fast start, JIT active)", Stats.fmt(fast) + " ms",
                fast <= GOAL_MS && jit);
        return result;
    }

    /** Fills {@code ms[step][run]} from one launch; returns whether the JIT was active. */
    private static boolean measure(Path home, boolean fast, int run, double[][] ms) throws IOException, InterruptedException {
        long spawnedAt = System.currentTimeMillis();
        Properties p = check(home, fast);
        for (int s = 0; s < STEPS.size(); s++) {
            ms[s][run] = Long.parseLong(p.getProperty(STEPS.get(s))) - spawnedAt;
        }
        for (int c = 0; c < CPU.size(); c++) {
            ms[STEPS.size() + c][run] = Long.parseLong(p.getProperty(CPU.get(c), "-1"));
        }
        System.out.printf("P8: %s, run %d: first result %.0f ms after the launcher started (%s)%n",
                fast ? "with the cache" : "HZPY_FAST_START=off", run + 1, ms[FIRST_RESULT][run], p.getProperty("engine"));
        return Boolean.parseBoolean(p.getProperty("jitActive"));
    }

    private static Properties check(Path home, boolean fast) throws IOException, InterruptedException {
        Path file = Files.createTempFile("hzpy-bench-p8-", ".properties");
        try {
            ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/hzpy-member").toString(), "check", file.toString())
                    .directory(home.toFile()).inheritIO();
            builder.environment().putAll(Map.of("JAVA_HOME", System.getProperty("java.home"),
                    "HZPY_FAST_START", fast ? "on" : "off"));
            int code = ChildJvm.await(builder.start(), fast ? BUILD_LIMIT : RUN_LIMIT, "bin/hzpy-member check");
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            if (code != 0 || !p.containsKey("firstResult")) {
                throw new IOException("bin/hzpy-member check exited with " + code);
            }
            return p;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The built tarball, unpacked afresh under bench/target/p8. */
    private static Path unpack() throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("user.dir"));
        Path tarball;
        try (Stream<Path> files = Files.list(root.resolve("distribution/target"))) {
            tarball = files.filter(f -> f.getFileName().toString().matches("hzpy-member-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new IOException("no distribution/target/hzpy-member-*.tar.gz: build it first "
                            + "(mvn -pl distribution -am package -DskipTests)"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("no distribution/target: build the distribution first (mvn -pl distribution -am package -DskipTests)");
        }
        Path dir = root.resolve("bench/target/p8");
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", dir.toString()).inheritIO().start();
        if (ChildJvm.await(tar, Duration.ofMinutes(2), "tar") != 0) {
            throw new IOException("tar could not unpack " + tarball);
        }
        return dir.resolve(tarball.getFileName().toString().replace(".tar.gz", ""));
    }

    private static long megabytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum() >> 20;
        }
    }

    private static String cell(double[] ms) {
        return Stats.fmt(Stats.median(ms)) + " (" + Stats.fmt(Stats.min(ms)) + " – " + Stats.fmt(Stats.max(ms)) + ")";
    }
}
