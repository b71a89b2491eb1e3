package org.hzpy.bench;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.pipeline.BatchSource;
import com.hazelcast.jet.pipeline.BatchStage;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.Sink;
import com.hazelcast.jet.pipeline.SinkBuilder;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.python.PythonServiceConfig;
import com.hazelcast.jet.python.PythonTransforms;
import org.hzpy.Py;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * P5: the same Jet jobs through hzpy's {@code PyTransforms.mapUsingPythonBatch} and through
 * Hazelcast's own Python stage, {@code hazelcast-jet-python} 5.5.0 (a venv and one CPython gRPC
 * server per processor, set up for every job), on one embedded member, in alternating rounds.
 * Measures job set-up (submit → first item out at the sink) and steady-state throughput (the
 * items after the first one over the time from the first to the last).
 */
final class P5JetPython implements Benchmark {
    /**
     * Items per job. 5 M, so that each measured job lasts about a second or more for every system:
     * with 1 M, hzpy's jobs lasted ~0.2 s, and a JIT compilation or GC pause in one moved its
     * round by up to 2x (strings: rounds 2.7-6.7 M items/s in one full run; 3.9-5.7 M in the first full
     * run at 5 M, 4.7-6.5 M in quick looks).
     * HZPY_BENCH_P5_ITEMS sets another count for a quick look.
     */
    private static final int ITEMS = itemsPerJob(System.getenv().getOrDefault("HZPY_BENCH_P5_ITEMS", "5000000"));
    private static final int ROUNDS = 5;
    /**
     * Unmeasured rounds come first, until a system's throughput settles and Graal's compiler has
     * gone quiet: both systems need it (hzpy's GraalPy compiles the handler, the conversions and the
     * import machinery; the peer's gRPC and protobuf code in the JVM gets compiled too), and both ran
     * several times slower in their first jobs in trials. Settled throughput alone was not enough:
     * two rounds agreed within 20% while the compiler still took half a core (P5 with 15 warm-up
     * rounds printing the compiler's share, 2026-12-03: hzpy on the module path went from ~3.2 M to
     * 5.5–6.9 M items/s, geomean of both workloads, when its compiling ended, after round 7).
     */
    private static final int MIN_WARM_UP_ROUNDS = 2;
    private static final int MAX_WARM_UP_ROUNDS = 25;
    /** Warm once a warm-up round's throughput is within this fraction of the round before… */
    private static final double SETTLED = 0.2;
    /** …and Truffle's compiler threads used less than this many cores during the round. */
    private static final double COMPILER_QUIET_CORES = 0.1;
    /**
     * Trials of 256, 1024 and 4096 items with 2 in flight, and 1024 with 4, showed no consistent
     * winner on this noisy machine; 1024 keeps each call short (about half a millisecond).
     */
    private static final int HZPY_BATCH = 1024;
    private static final int HZPY_IN_FLIGHT = 2;
    /** The timing on items from Java: this many samples of {@link #TIMED_BATCHES_PER_SAMPLE} batches each. */
    private static final int TIMED_SAMPLES = 7;
    private static final int TIMED_BATCHES_PER_SAMPLE = 60;
    /** A job that runs longer is cancelled and its system reported as not measured. */
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
    private static final String MODULE = "p5_handlers";
    private static final String HANDLERS = MODULE + ".py";
    private static final String FLOCK_SHIM = "flock";
    private static final String DIRECTORY_ID = "p5";
    private static final String PEER_PACKAGES = "python3-grpcio python3-protobuf python3-venv";
    private static final double GOAL_RATIO = 3;
    private static final double GOAL_SET_UP_SECONDS = 0.5;
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private enum Workload {
        UPPER(String.format("upper-case %,d short strings", ITEMS), "upper", "upper", "`str` → `str`", "`str` → `str`"),
        NUMBERS(String.format("`x * 3 + 1` on %,d numbers", ITEMS), "times_three_plus_one", "times_three_plus_one_str",
                "`int` → `int` (Java `Long`)", "`str` → `str`: the peer takes strings only (`String.valueOf` "
                + "before it, `str(int(x) * 3 + 1)` in Python)");

        final String label;
        final String hzpyFunction;
        final String peerFunction;
        final String hzpyTypes;
        final String peerTypes;

        Workload(String label, String hzpyFunction, String peerFunction, String hzpyTypes, String peerTypes) {
            this.label = label;
            this.hzpyFunction = hzpyFunction;
            this.peerFunction = peerFunction;
            this.hzpyTypes = hzpyTypes;
            this.peerTypes = peerTypes;
        }

        /** The source's i-th item: the same for every system. */
        Object item(long i) {
            return this == UPPER ? "s" + i : (Object) i;
        }

        /** The transform in Java, for scale. */
        Object inJava(Object item) {
            return this == UPPER ? ((String) item).toUpperCase() : (Object) ((Long) item * 3 + 1);
        }

        /** What the sink adds up for a result: the string's hash, or the number (the peer's as a string). */
        long check(Object result) {
            if (this == UPPER) {
                return result.hashCode();
            }
            return result instanceof String s ? Long.parseLong(s) : (Long) result;
        }

        long expectedChecksum() {
            long sum = 0;
            for (long i = 0; i < ITEMS; i++) {
                sum += this == UPPER ? ("S" + i).hashCode() : 3 * i + 1;
            }
            return sum;
        }
    }

    /** The systems measured, in the order of the table. */
    private enum Side {
        HZPY_ATTACHED("hzpy, handler attached to the job (as the peer's)"),
        HZPY_MODULE_PATH("hzpy, handler on the member's `hzpy.module-path`"),
        PEER("hazelcast-jet-python 5.5.0"),
        JAVA("for scale: the transform in Java (`map`), no Python"),
        JAVA_ASYNC("for scale: the transform in Java through hzpy's kind of stage (`mapUsingServiceAsyncBatched`, "
                + "the same batches, completed on 2 threads of its own), no Python");

        final String label;

        Side(String label) {
            this.label = label;
        }

        String shortName() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /** One job's figures. */
    private record Run(double setUpSeconds, double itemsPerSecond) {
    }

    /** Why a job gave no figures; the job was cancelled if it still ran. */
    private static final class NotMeasured extends Exception {
        NotMeasured(String why) {
            super(why);
        }
    }

    /**
     * Counts what reaches the sink of the running job, in this JVM (the member is embedded). One
     * sink processor, so one thread writes; the main thread reads after the job has completed.
     */
    static final class Recorder {
        private final Workload workload;
        private long count;
        private long checksum;
        private long firstNanos;
        private long lastNanos;

        Recorder(Workload workload) {
            this.workload = workload;
        }

        void receive(Object item) {
            if (++count == 1) {
                firstNanos = System.nanoTime();
            }
            if (count == ITEMS) {
                lastNanos = System.nanoTime();
            }
            checksum += workload.check(item);
        }
    }

    /** The recorder of the job that runs now (jobs run one at a time). */
    private static volatile Recorder current;

    /** What one run of P5 measured, per system and workload. */
    private static final class Figures {
        final String[] notMeasured = new String[Side.values().length];
        final double[][] firstJobSetUp = new double[Side.values().length][Workload.values().length];
        final int[] warmUpRounds = new int[Side.values().length];
        /** The hzpy handler alone, ns per item, in the member (NaN: not measured). */
        final double[] pythonNanosPerItem = {Double.NaN, Double.NaN};
        /** The same, on batches that came from Java (each item touched once, as in a job). */
        final double[] fromJavaNanosPerItem = {Double.NaN, Double.NaN};
        final double[][][] setUp = new double[Side.values().length][Workload.values().length][ROUNDS];
        final double[][][] throughput = new double[Side.values().length][Workload.values().length][ROUNDS];
        /** Cores Truffle's compiler threads used while each measured job ran. */
        final double[][][] compilerCores = new double[Side.values().length][Workload.values().length][ROUNDS];

        Figures() {
            for (double[] a : firstJobSetUp) {
                Arrays.fill(a, Double.NaN);
            }
        }

        boolean measured(Side side) {
            return notMeasured[side.ordinal()] == null;
        }

        double medianThroughput(Side side, Workload w) {
            return Stats.median(throughput[side.ordinal()][w.ordinal()]);
        }

        double medianSetUp(Side side, Workload w) {
            return Stats.median(setUp[side.ordinal()][w.ordinal()]);
        }
    }

    @Override
    public String id() {
        return "P5";
    }

    @Override
    public String title() {
        return "Jet: hzpy vs hazelcast-jet-python";
    }

    @Override
    public Duration timeout() {
        // 4-8 min normally, most of it the peer's 5-25 s of set-up per job (up to 25 warm-up and 5
        // measured rounds of 2 jobs); room for one cancelled job per system on top
        return Duration.ofMinutes(25);
    }

    /**
     * The peer starts its venv, pip and gRPC server through /bin/sh with the member JVM's PATH: the
     * flock shim first, so its pip lines do nothing, then /usr/bin, so python3 is Debian's, which
     * sees Debian's grpcio and protobuf (a pyenv python3 would not).
     */
    @Override
    public Map<String, String> environment() throws IOException {
        Path dir = Files.createTempDirectory("hzpy-p5-peer-");
        dir.toFile().deleteOnExit(); // registered first, deleted last
        Path shim = Resources.copyTo(dir, FLOCK_SHIM);
        shim.toFile().deleteOnExit();
        if (!shim.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + shim + " executable");
        }
        return Map.of("PATH", dir + ":/usr/bin:" + System.getenv().getOrDefault("PATH", ""));
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        Figures f = new Figures();
        String peerPython = peerPython();
        if (peerPython.startsWith("not measured: ")) {
            f.notMeasured[Side.PEER.ordinal()] = peerPython.substring("not measured: ".length());
        }
        String only = System.getenv("HZPY_BENCH_P5_SIDES"); // e.g. "hzpy-attached,java-async", for a quick look
        if (only != null && !only.isBlank()) {
            List<String> chosen = Arrays.asList(only.trim().split("\\s*,\\s*"));
            for (Side side : Side.values()) {
                if (!chosen.contains(side.shortName())) {
                    f.notMeasured[side.ordinal()] = "left out of this run (HZPY_BENCH_P5_SIDES=" + only + ")";
                }
            }
        }
        Path handlers = Files.createTempDirectory("hzpy-p5-handlers-");
        Resources.copyTo(handlers, HANDLERS);
        long[] expected = new long[Workload.values().length];
        for (Workload w : Workload.values()) {
            expected[w.ordinal()] = w.expectedChecksum();
        }
        HazelcastInstance member = Members.start(Map.of("hzpy.module-path", handlers.toString()), P5JetPython::jet);
        try {
            Py py = Members.ready(member, CORES);
            Members.awaitCompilerQuiet();
            Members.recordEngine(result, py);
            warmUp(member, handlers, expected, f);
            for (int r = 0; r < ROUNDS; r++) {
                // the order of the systems flips each round, so a drift in the machine's load favours none
                List<Side> order = new ArrayList<>(List.of(Side.values()));
                if (r % 2 == 1) {
                    Collections.reverse(order);
                }
                for (Workload w : Workload.values()) {
                    for (Side side : order) {
                        if (!f.measured(side)) {
                            continue;
                        }
                        try {
                            CompilerCpu compiler = new CompilerCpu();
                            Run run = runJob(member, side, w, expected[w.ordinal()], handlers, "round " + (r + 1));
                            f.compilerCores[side.ordinal()][w.ordinal()][r] = compiler.cores();
                            f.setUp[side.ordinal()][w.ordinal()][r] = run.setUpSeconds();
                            f.throughput[side.ordinal()][w.ordinal()][r] = run.itemsPerSecond();
                        } catch (NotMeasured e) {
                            f.notMeasured[side.ordinal()] = e.getMessage();
                        }
                    }
                }
            }
            pythonPerItem(py, f);
        } finally {
            member.shutdown();
            deleteTree(handlers);
        }
        report(result, peerPython, f);
        return result;
    }

    private static int itemsPerJob(String setting) {
        try {
            int items = Integer.parseInt(setting.trim());
            if (items >= 2) { // throughput counts the items after the first
                return items;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("HZPY_BENCH_P5_ITEMS is the number of items per job, a whole number of at least 2; it is '"
                + setting + "'");
    }

    /**
     * The handlers alone, per item, in the member: on items made in Python and on items that came
     * from Java (p5_handlers.time_per_item, time_on_batches), the member's compiler quiet first.
     */
    private static void pythonPerItem(Py py, Figures f) {
        for (Workload w : Workload.values()) {
            int i = w.ordinal();
            try {
                Members.awaitCompilerQuiet(); // the jobs' last compilations would take a core from the timings
                f.pythonNanosPerItem[i] = ((Number) py.call(MODULE, "time_per_item", w.hzpyFunction,
                        w == Workload.UPPER)).doubleValue();
                // one call each: the batches cross before the timing starts, all into the context that times them.
                // The first warms the handler on items from Java: warmed on items made in Python, its code
                // specializes anew on them (quick looks timed it at 97-189 ns an item, the next passes at 5-35).
                py.call(MODULE, "time_on_batches", w.hzpyFunction, javaBatches(w, TIMED_SAMPLES * TIMED_BATCHES_PER_SAMPLE),
                        TIMED_SAMPLES);
                f.fromJavaNanosPerItem[i] = ((Number) py.call(MODULE, "time_on_batches", w.hzpyFunction,
                        javaBatches(w, TIMED_SAMPLES * TIMED_BATCHES_PER_SAMPLE), TIMED_SAMPLES)).doubleValue();
                System.out.printf("P5: %s per item alone: %.1f ns on items made in Python, %.1f ns on items from Java%n",
                        w.hzpyFunction, f.pythonNanosPerItem[i], f.fromJavaNanosPerItem[i]);
            } catch (RuntimeException e) { // the limits table says so; the jobs' figures stand
                System.out.println("P5: the handler alone was not timed: " + oneLine(e));
            }
        }
    }

    /** Batches of the workload's items as the source makes them, each item a Java object of its own. */
    private static List<List<Object>> javaBatches(Workload w, int count) {
        List<List<Object>> batches = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            List<Object> batch = new ArrayList<>(HZPY_BATCH);
            for (int j = 0; j < HZPY_BATCH; j++) {
                batch.add(w.item((long) b * HZPY_BATCH + j));
            }
            batches.add(batch);
        }
        return batches;
    }

    private static void jet(Config config) {
        config.getJetConfig().setEnabled(true).setResourceUploadEnabled(true);
    }

    /**
     * Unmeasured rounds of the same jobs, each system until its throughput settles; the first job
     * of each is its first on the member, whose set-up is reported.
     */
    private static void warmUp(HazelcastInstance member, Path handlers, long[] expected, Figures f)
            throws InterruptedException {
        double[] previous = new double[Side.values().length];
        boolean[] warm = new boolean[Side.values().length];
        for (int round = 1; round <= MAX_WARM_UP_ROUNDS; round++) {
            for (Side side : Side.values()) {
                if (warm[side.ordinal()] || !f.measured(side)) {
                    continue;
                }
                double[] rates = new double[Workload.values().length];
                CompilerCpu compiler = new CompilerCpu();
                for (Workload w : Workload.values()) {
                    try {
                        Run run = runJob(member, side, w, expected[w.ordinal()], handlers, "warm-up " + round);
                        rates[w.ordinal()] = run.itemsPerSecond();
                        if (round == 1) {
                            f.firstJobSetUp[side.ordinal()][w.ordinal()] = run.setUpSeconds();
                        }
                    } catch (NotMeasured e) {
                        f.notMeasured[side.ordinal()] = e.getMessage();
                        break; // the first failure says why; no more of its jobs
                    }
                }
                if (!f.measured(side)) {
                    continue;
                }
                double rate = Stats.geomean(rates);
                double compiling = compiler.cores();
                System.out.printf("P5: %-16s warm-up %d: geomean %.0f items/s, compiler %.2f cores%n", side.shortName(), round,
                        rate, compiling);
                f.warmUpRounds[side.ordinal()] = round;
                warm[side.ordinal()] = round >= MIN_WARM_UP_ROUNDS
                        && Math.abs(rate / previous[side.ordinal()] - 1) <= SETTLED && compiling < COMPILER_QUIET_CORES;
                previous[side.ordinal()] = rate;
            }
        }
    }

    /** Submits one job, waits for its end (cancelling it past the timeout) and checks every item arrived right. */
    private static Run runJob(HazelcastInstance member, Side side, Workload w, long expectedChecksum, Path handlers,
                              String what) throws NotMeasured, InterruptedException {
        String name = "p5-" + side.shortName() + "-" + w.name().toLowerCase() + "-" + what.replace(' ', '-');
        Recorder recorder = new Recorder(w);
        current = recorder;
        JobConfig config = new JobConfig().setName(name);
        Pipeline pipeline = pipeline(side, w, config, handlers);
        long submitted = System.nanoTime();
        Job job;
        try {
            job = member.getJet().newJob(pipeline, config);
        } catch (RuntimeException e) {
            throw new NotMeasured(name + " was not accepted: " + oneLine(e));
        }
        try {
            job.getFuture().get(JOB_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            job.cancel();
            try {
                job.getFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // cancelled (or still stopping): either way it is not measured
            }
            throw new NotMeasured(name + " did not finish within " + JOB_TIMEOUT.toSeconds() + " s and was cancelled");
        } catch (ExecutionException e) {
            throw new NotMeasured(name + " failed: " + oneLine(e.getCause()));
        }
        if (recorder.count != ITEMS || recorder.checksum != expectedChecksum) {
            throw new NotMeasured(name + " emitted " + recorder.count + " of " + ITEMS + " items"
                    + (recorder.count == ITEMS ? ", not the expected ones" : ""));
        }
        Run run = new Run((recorder.firstNanos - submitted) / 1e9,
                (ITEMS - 1) / ((recorder.lastNanos - recorder.firstNanos) / 1e9));
        System.out.printf("P5: %-16s %-7s %-11s set-up %6.3f s, %s items/s%n", side.shortName(), w.name(), what,
                run.setUpSeconds(), Stats.fmt(run.itemsPerSecond()));
        return run;
    }

    /** Source → one stage → sink; only the stage differs between the systems. */
    @SuppressWarnings("unchecked")
    private static Pipeline pipeline(Side side, Workload w, JobConfig config, Path handlers) {
        Pipeline p = Pipeline.create();
        BatchStage<Object> items = p.readFrom(source(w));
        BatchStage<?> out = switch (side) {
            case HZPY_ATTACHED -> {
                config.attachDirectory(handlers.toString(), DIRECTORY_ID);
                yield items.apply(PyTransforms.<Object, Object>mapUsingPythonBatch(hzpyStage(w).attachedDirectory(DIRECTORY_ID)));
            }
            case HZPY_MODULE_PATH -> items.apply(PyTransforms.<Object, Object>mapUsingPythonBatch(hzpyStage(w)));
            case PEER -> {
                // the peer attaches its base directory to the job itself
                BatchStage<String> strings = w == Workload.UPPER
                        ? (BatchStage<String>) (BatchStage<?>) items // strings already: no extra stage
                        : items.map(x -> String.valueOf(x));
                yield strings.apply(PythonTransforms.mapUsingPythonBatch(new PythonServiceConfig()
                        .setBaseDir(handlers.toString()).setHandlerModule(MODULE).setHandlerFunction(w.peerFunction)));
            }
            case JAVA -> items.map(w::inJava);
            case JAVA_ASYNC -> items.mapUsingServiceAsyncBatched(javaThreads(), HZPY_BATCH,
                    (ExecutorService threads, List<Object> batch) -> CompletableFuture.supplyAsync(() -> {
                        List<Object> results = new ArrayList<>(batch.size());
                        for (Object item : batch) {
                            results.add(w.inJava(item));
                        }
                        return results;
                    }, threads));
        };
        ((BatchStage<Object>) out).writeTo(sink());
        return p;
    }

    /**
     * The JAVA_ASYNC side's threads: as many as hzpy's contexts (2), shared by the job's processors
     * on the member, so that its batches hop threads as hzpy's do (to a context's thread and back).
     */
    private static ServiceFactory<?, ExecutorService> javaThreads() {
        return ServiceFactories.sharedService(ctx -> Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "p5-java-async");
            t.setDaemon(true);
            return t;
        }), ExecutorService::shutdownNow);
    }

    private static PyStageConfig hzpyStage(Workload w) {
        return PyStageConfig.of(MODULE, w.hzpyFunction).batchSize(HZPY_BATCH).concurrentBatches(HZPY_IN_FLIGHT);
    }

    /** Generates the items in the member, 1024 at a time: nothing to read, the same for every system. */
    private static BatchSource<Object> source(Workload w) {
        return SourceBuilder.batch("p5-items", ctx -> new long[1])
                .<Object>fillBufferFn((next, buffer) -> {
                    long end = Math.min(ITEMS, next[0] + 1024);
                    for (long i = next[0]; i < end; i++) {
                        buffer.add(w.item(i));
                    }
                    next[0] = end;
                    if (end == ITEMS) {
                        buffer.close();
                    }
                })
                .build();
    }

    private static Sink<Object> sink() {
        return SinkBuilder.sinkBuilder("p5-recorder", ctx -> current)
                .<Object>receiveFn(Recorder::receive)
                .preferredLocalParallelism(1)
                .build();
    }

    /**
     * What the peer's Python is, or "not measured: why" when it cannot run: it needs Debian's
     * python3 with grpcio, protobuf and venv (with ensurepip), found first on PATH after the shim.
     */
    private static String peerPython() throws InterruptedException {
        String path = System.getenv().getOrDefault("PATH", "");
        if (!Files.isExecutable(Path.of(path.split(":")[0], FLOCK_SHIM))) {
            return "not measured: the flock shim is not first on this JVM's PATH (BenchMain puts it there)";
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import sys, venv, ensurepip, grpc, "
                    + "google.protobuf as pb; print('CPython %s, grpcio %s, protobuf %s' % "
                    + "(sys.version.split()[0], grpc.__version__, pb.__version__))").redirectErrorStream(true).start();
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
                return "not measured: /usr/bin/python3 did not answer within 60 s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                String[] lines = out.split("\n");
                return "not measured: /usr/bin/python3 cannot import what the peer needs (" + lines[lines.length - 1]
                        + "); install the Debian packages " + PEER_PACKAGES + " (./bench.sh does when it may)";
            }
            return out + " (Debian's /usr/bin/python3)";
        } catch (IOException e) {
            return "not measured: /usr/bin/python3 does not run (" + e.getMessage() + "); install the Debian "
                    + "packages " + PEER_PACKAGES;
        }
    }

    private static void report(Result result, String peerPython, Figures f) {
        result.fact("peer-python", peerPython);
        result.add(String.format("One embedded member (Jet on, `resource-upload-enabled: true`, hzpy with its defaults: "
                + "%d contexts) runs every job, one at a time. Source: a batch `SourceBuilder` source that generates "
                + "the items in the member (`\"s\" + i` or `i`; the same source for every system); one stage; a sink "
                + "that counts the results in this JVM and checks them (sum of the strings' hashes or of the numbers). "
                + "Handlers: `p5_handlers.py`. Each stage runs %d processors (Jet's default local parallelism). "
                + "hzpy: `PyTransforms.mapUsingPythonBatch`, batches of %,d items, %d in flight per processor. The "
                + "peer: `PythonTransforms.mapUsingPythonBatch` with its fixed settings (batches of whatever the "
                + "inbox holds — it sets no limit — and Jet's default of 4 in flight per processor); for every job "
                + "it builds a venv, runs its pip lines (no-ops here: a `flock` shim, as pip cannot reach a package "
                + "index; Debian's grpcio and protobuf serve instead) and starts one CPython gRPC server per "
                + "processor. The peer's Python: %s.", CORES, CORES, HZPY_BATCH, HZPY_IN_FLIGHT,
                peerPython.startsWith("not measured") ? "n/a" : peerPython));
        result.add(String.format("Warm-up: unmeasured rounds of the same jobs, for each system until two rounds in a row "
                + "agree within %.0f%% and Graal's compiler threads used under %.1f cores in the last (at least %d, at most "
                + "%d rounds; needed: %s). Then %d rounds of %,d items per "
                + "workload, all systems in each, their order reversed every other round. *Set-up*: `newJob` → "
                + "first item at the sink, every job (the peer builds its venv and starts its servers for each). "
                + "*Throughput*: the items after the first over the time from the first to the last (steady "
                + "state). Medians of the rounds, min – max in brackets. *Compiler*: the cores Graal's compiler threads "
                + "used while the system's measured jobs ran (the JIT compiling Python; a handler attached to a job is "
                + "new code in every job).", SETTLED * 100, COMPILER_QUIET_CORES, MIN_WARM_UP_ROUNDS,
                MAX_WARM_UP_ROUNDS, warmUpRounds(f), ROUNDS, ITEMS));
        Table table = new Table("workload", "system", "Python gets → returns", "items/s, median (min – max)",
                "set-up s, median (min – max)", "compiler, cores (median)", "throughput vs the peer", "≥ 3× the peer's throughput",
                "≤ 0.5 s set-up per job");
        List<String> setUps = new ArrayList<>();
        boolean setUpMet = true;
        for (Workload w : Workload.values()) {
            boolean peer = f.measured(Side.PEER);
            for (Side side : Side.values()) {
                String types = side == Side.PEER ? w.peerTypes
                        : side == Side.JAVA || side == Side.JAVA_ASYNC ? "(no Python)" : w.hzpyTypes;
                String ratio = "";
                String ratioGoal = "";
                String setUpGoal = "";
                if (side == Side.HZPY_ATTACHED || side == Side.HZPY_MODULE_PATH) {
                    boolean both = f.measured(side) && peer;
                    double r = f.medianThroughput(side, w) / f.medianThroughput(Side.PEER, w);
                    ratio = both ? Stats.times(r) : "n/a";
                    ratioGoal = both ? verdict(r >= GOAL_RATIO) : "not measured";
                    double s = f.medianSetUp(side, w);
                    setUpGoal = f.measured(side) ? verdict(s <= GOAL_SET_UP_SECONDS) : "not measured";
                    if (side == Side.HZPY_ATTACHED) {
                        result.goal((w == Workload.UPPER ? "upper-case strings" : "numbers")
                                + ": ≥ 3× the peer's throughput (handler attached to the job, as the peer's)",
                                both ? Stats.times(r) + " (module path: " + Stats.times(f.medianThroughput(
                                        Side.HZPY_MODULE_PATH, w) / f.medianThroughput(Side.PEER, w)) + ")" : "n/a",
                                both ? r >= GOAL_RATIO : null);
                    }
                    if (f.measured(side)) {
                        setUps.add(Stats.fmt(s));
                        setUpMet &= s <= GOAL_SET_UP_SECONDS;
                    }
                }
                table.row(w.label, side.label, types, cell(f, side, f.throughput[side.ordinal()][w.ordinal()]),
                        cell(f, side, f.setUp[side.ordinal()][w.ordinal()]),
                        f.measured(side) ? String.format(java.util.Locale.ROOT, "%.2f",
                                Stats.median(f.compilerCores[side.ordinal()][w.ordinal()])) : "",
                        ratio, ratioGoal, setUpGoal);
            }
        }
        result.add(table.toMarkdown());
        result.goal("job set-up ≤ 0.5 s (submit → first item out)",
                setUps.isEmpty() ? "n/a" : "hzpy medians " + String.join(", ", setUps) + " s",
                setUps.isEmpty() ? null : setUpMet);
        StringBuilder first = new StringBuilder("First job on the member (the first warm-up job), set-up in s for "
                + "upper-case / numbers:");
        for (Side side : Side.values()) {
            first.append(side == Side.HZPY_ATTACHED ? " " : "; ").append(side.shortName()).append(' ')
                    .append(Stats.fmt(f.firstJobSetUp[side.ordinal()][0])).append(" / ")
                    .append(Stats.fmt(f.firstJobSetUp[side.ordinal()][1]));
        }
        result.add(first.append('.').toString());
        result.add(limits(f));
        for (Side side : Side.values()) {
            if (!f.measured(side)) {
                result.add("**" + side.label + ": not measured:** " + f.notMeasured[side.ordinal()]);
            }
        }
    }

    /**
     * How far a Python stage of this kind can go here: Java's stage of the same kind spends 2/J
     * core-seconds an item on the 2 cores (J its items/s, both cores busy); a stage that adds only
     * the handler's own time p (on items from Java) spends 2/J + p, so it can reach 2 / (2/J + p)
     * items/s. An estimate: hzpy's conversions and permits come on top, and Java's stage may leave a
     * core partly idle.
     */
    private static String limits(Figures f) {
        if (!f.measured(Side.JAVA_ASYNC) || !f.measured(Side.PEER) || Double.isNaN(f.fromJavaNanosPerItem[0])) {
            return "_Limits: not estimated (Java's stage of the same kind, the peer or the handler alone not measured)._";
        }
        Table t = new Table("workload", "the handler alone, items made in Python, ns per item",
                "the handler alone, items from Java, ns per item (p)", "Java through the same kind of stage, items/s (J)",
                "ceiling for a Python stage of that kind: 2 / (2/J + p), items/s", "3× the peer, items/s",
                "hzpy attached / module path, share of that ceiling");
        for (Workload w : Workload.values()) {
            int i = w.ordinal();
            double stage = f.medianThroughput(Side.JAVA_ASYNC, w);
            double ceiling = 2 / (2 / stage + f.fromJavaNanosPerItem[i] / 1e9);
            t.row(w.label, Stats.fmt(f.pythonNanosPerItem[i]), Stats.fmt(f.fromJavaNanosPerItem[i]), Stats.fmt(stage),
                    Stats.fmt(ceiling), Stats.fmt(GOAL_RATIO * f.medianThroughput(Side.PEER, w)),
                    String.format(java.util.Locale.ROOT, "%.0f%% / %.0f%%", 100 * f.medianThroughput(Side.HZPY_ATTACHED, w) / ceiling,
                            100 * f.medianThroughput(Side.HZPY_MODULE_PATH, w) / ceiling));
        }
        return "**Limits.** What a Python stage of this kind can reach on these 2 cores: Java's stage of the same kind "
                + "(J) plus the handler's own time per item (p). The handler alone is timed in Python in the member, "
                + "warm, its compiler quiet, median of 7: on a list of the workload's first 1,024 items made in Python "
                + "(`p5_handlers.time_per_item`), and on " + TIMED_SAMPLES * TIMED_BATCHES_PER_SAMPLE + " batches of "
                + "1,024 that came from Java, each used once, as in a job, after a first pass on as many others "
                + "(`time_on_batches`: a str from Java has its code range still to be worked out, so `upper` costs "
                + "more on it). The ceiling takes p from Java's "
                + "items; hzpy's conversions and permits come on top:\n\n" + t.toMarkdown();
    }

    private static String warmUpRounds(Figures f) {
        List<String> parts = new ArrayList<>();
        for (Side side : Side.values()) {
            parts.add(side.shortName() + " " + (f.measured(side) ? String.valueOf(f.warmUpRounds[side.ordinal()])
                    : "not measured"));
        }
        return String.join(", ", parts);
    }

    private static String verdict(boolean met) {
        return met ? "met" : "**missed**";
    }

    /** "median (min – max)", or "not measured" when the system has no figures. */
    private static String cell(Figures f, Side side, double[] samples) {
        if (!f.measured(side)) {
            return "not measured";
        }
        return Stats.fmt(Stats.median(samples)) + " (" + Stats.fmt(Stats.min(samples)) + " – "
                + Stats.fmt(Stats.max(samples)) + ")";
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String s = (root.getClass().getSimpleName() + ": " + root.getMessage()).replaceAll("\\s+", " ");
        return s.length() > 400 ? s.substring(0, 400) + " …" : s;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
