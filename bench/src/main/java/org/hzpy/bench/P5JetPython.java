package org.hzpy.bench;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.pipeline.BatchSource;
import com.hazelcast.jet.pipeline.BatchStage;
import com.hazelcast.jet.pipeline.Pipeline;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
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
    private static final int ITEMS = 1_000_000;
    /** Each system's first job on the member, one per workload, not counted (its set-up is reported). */
    private static final int WARM_UP_ITEMS = 100_000;
    private static final int ROUNDS = 3;
    /** Chosen from short trials of 256, 1024 and 4096 items with 2 and 4 in flight (see the commit). */
    private static final int HZPY_BATCH = 1024;
    private static final int HZPY_IN_FLIGHT = 2;
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
        UPPER("upper-case 1,000,000 short strings", "upper", "upper", "`str` → `str`", "`str` → `str`"),
        NUMBERS("`x * 3 + 1` on 1,000,000 numbers", "times_three_plus_one", "times_three_plus_one_str",
                "`int` → `int` (Java `Long`)", "`str` → `str` (the peer takes strings only: "
                + "`String.valueOf` before it, `int(x)` / `str(...)` in Python)");

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

        /** The source's i-th item: the same for both systems. */
        Object item(long i) {
            return this == UPPER ? "s" + i : (Object) i;
        }

        /** What the sink adds up for a result: the string's hash, or the number (the peer's as a string). */
        long check(Object result) {
            if (this == UPPER) {
                return result.hashCode();
            }
            return result instanceof String s ? Long.parseLong(s) : (Long) result;
        }

        long expectedChecksum(int n) {
            long sum = 0;
            for (long i = 0; i < n; i++) {
                sum += this == UPPER ? ("S" + i).hashCode() : 3 * i + 1;
            }
            return sum;
        }
    }

    private enum Side {
        HZPY("hzpy"), PEER("hazelcast-jet-python 5.5.0");

        final String label;

        Side(String label) {
            this.label = label;
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
        private final long expected;
        private long count;
        private long checksum;
        private long firstNanos;
        private long lastNanos;

        Recorder(Workload workload, long expected) {
            this.workload = workload;
            this.expected = expected;
        }

        void receive(Object item) {
            if (++count == 1) {
                firstNanos = System.nanoTime();
            }
            if (count == expected) {
                lastNanos = System.nanoTime();
            }
            checksum += workload.check(item);
        }
    }

    /** The recorder of the job that runs now (jobs run one at a time). */
    private static volatile Recorder current;

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
        // about 3 min normally (the peer's ~8 jobs of 5-10 s set-up each); room for one cancelled job per system
        return Duration.ofMinutes(10);
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
        String[] notMeasured = new String[Side.values().length];
        String peerPython = peerPython();
        if (peerPython.startsWith("not measured: ")) {
            notMeasured[Side.PEER.ordinal()] = peerPython.substring("not measured: ".length());
        }
        Path handlers = Files.createTempDirectory("hzpy-p5-handlers-");
        Resources.copyTo(handlers, HANDLERS);
        long[] expected = new long[Workload.values().length];
        for (Workload w : Workload.values()) {
            expected[w.ordinal()] = w.expectedChecksum(ITEMS);
        }
        double[][] firstJobSetUp = new double[Side.values().length][Workload.values().length];
        double[][][] setUp = new double[Side.values().length][Workload.values().length][ROUNDS];
        double[][][] throughput = new double[Side.values().length][Workload.values().length][ROUNDS];
        for (double[] a : firstJobSetUp) {
            Arrays.fill(a, Double.NaN);
        }
        HazelcastInstance member = Members.start(Map.of(), P5JetPython::jet);
        try {
            Py py = Members.ready(member, CORES);
            Members.recordEngine(result, py);
            for (Workload w : Workload.values()) {
                for (Side side : Side.values()) {
                    if (notMeasured[side.ordinal()] == null) {
                        try {
                            Run run = runJob(member, side, w, WARM_UP_ITEMS, w.expectedChecksum(WARM_UP_ITEMS),
                                    handlers, "warm-up");
                            firstJobSetUp[side.ordinal()][w.ordinal()] = run.setUpSeconds();
                        } catch (NotMeasured e) {
                            notMeasured[side.ordinal()] = e.getMessage();
                        }
                    }
                }
            }
            for (int r = 0; r < ROUNDS; r++) {
                // which system goes first alternates, so a drift in the machine's load favours neither
                List<Side> order = r % 2 == 0 ? List.of(Side.HZPY, Side.PEER) : List.of(Side.PEER, Side.HZPY);
                for (Workload w : Workload.values()) {
                    for (Side side : order) {
                        if (notMeasured[side.ordinal()] != null) {
                            continue;
                        }
                        try {
                            Run run = runJob(member, side, w, ITEMS, expected[w.ordinal()], handlers,
                                    "round " + (r + 1));
                            setUp[side.ordinal()][w.ordinal()][r] = run.setUpSeconds();
                            throughput[side.ordinal()][w.ordinal()][r] = run.itemsPerSecond();
                        } catch (NotMeasured e) {
                            notMeasured[side.ordinal()] = e.getMessage();
                        }
                    }
                }
            }
        } finally {
            member.shutdown();
            deleteTree(handlers);
        }
        report(result, peerPython, notMeasured, firstJobSetUp, setUp, throughput);
        return result;
    }

    private static void jet(Config config) {
        config.getJetConfig().setEnabled(true).setResourceUploadEnabled(true);
    }

    /** Submits one job, waits for its end (cancelling it past the timeout) and checks every item arrived right. */
    private static Run runJob(HazelcastInstance member, Side side, Workload w, int items, long expectedChecksum,
                              Path handlers, String what) throws NotMeasured, InterruptedException {
        String name = "p5-" + side.name().toLowerCase() + "-" + w.name().toLowerCase() + "-" + what.replace(' ', '-');
        Recorder recorder = new Recorder(w, items);
        current = recorder;
        JobConfig config = new JobConfig().setName(name);
        Pipeline pipeline = side == Side.HZPY ? hzpyPipeline(w, items, config, handlers) : peerPipeline(w, items, handlers);
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
        if (recorder.count != items || recorder.checksum != expectedChecksum) {
            throw new NotMeasured(name + " emitted " + recorder.count + " of " + items + " items"
                    + (recorder.count == items ? ", not the expected ones" : ""));
        }
        Run run = new Run((recorder.firstNanos - submitted) / 1e9,
                (items - 1) / ((recorder.lastNanos - recorder.firstNanos) / 1e9));
        System.out.printf("P5: %-14s %-7s %-10s set-up %6.3f s, %s items/s%n", side.label.split(" ")[0], w.name(), what,
                run.setUpSeconds(), Stats.fmt(run.itemsPerSecond()));
        return run;
    }

    private static Pipeline hzpyPipeline(Workload w, int items, JobConfig config, Path handlers) {
        config.attachDirectory(handlers.toString(), DIRECTORY_ID);
        Pipeline p = Pipeline.create();
        p.readFrom(source(w, items))
                .apply(PyTransforms.<Object, Object>mapUsingPythonBatch(PyStageConfig.of(MODULE, w.hzpyFunction)
                        .attachedDirectory(DIRECTORY_ID).batchSize(HZPY_BATCH).concurrentBatches(HZPY_IN_FLIGHT)))
                .writeTo(sink());
        return p;
    }

    /** The peer attaches its base directory to the job itself. */
    @SuppressWarnings("unchecked")
    private static Pipeline peerPipeline(Workload w, int items, Path handlers) {
        Pipeline p = Pipeline.create();
        BatchStage<Object> source = p.readFrom(source(w, items));
        BatchStage<String> strings = w == Workload.UPPER
                ? (BatchStage<String>) (BatchStage<?>) source // they are strings already: no extra stage
                : source.map(x -> String.valueOf(x));
        strings.apply(PythonTransforms.mapUsingPythonBatch(new PythonServiceConfig().setBaseDir(handlers.toString())
                        .setHandlerModule(MODULE).setHandlerFunction(w.peerFunction)))
                .writeTo(sink());
        return p;
    }

    /** Generates the items in the member, 1024 at a time: nothing to read, the same for both systems. */
    private static BatchSource<Object> source(Workload w, int items) {
        return SourceBuilder.batch("p5-items", ctx -> new long[1])
                .<Object>fillBufferFn((next, buffer) -> {
                    long end = Math.min(items, next[0] + 1024);
                    for (long i = next[0]; i < end; i++) {
                        buffer.add(w.item(i));
                    }
                    next[0] = end;
                    if (end == items) {
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
        String first = path.split(":")[0];
        if (!Files.isExecutable(Path.of(first, FLOCK_SHIM))) {
            return "not measured: the flock shim is not first on this JVM's PATH (BenchMain puts it there)";
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import sys, venv, ensurepip, grpc, "
                    + "google.protobuf as pb; print('CPython %s, grpcio %s, protobuf %s' % "
                    + "(sys.version.split()[0], grpc.__version__, pb.__version__))").redirectErrorStream(true).start();
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!done || p.exitValue() != 0) {
                p.destroyForcibly();
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

    private static void report(Result result, String peerPython, String[] notMeasured, double[][] firstJobSetUp,
                               double[][][] setUp, double[][][] throughput) {
        result.fact("peer-python", peerPython);
        result.add(String.format("One embedded member (Jet on, `resource-upload-enabled: true`, hzpy with its defaults: "
                + "%d contexts) runs every job, one at a time. Source: a batch `SourceBuilder` source that generates "
                + "the items in the member (`\"s\" + i` or `i`, the same source for both systems); one Python stage; "
                + "a sink that counts the results in this JVM and checks them (sum of the strings' hashes or of the "
                + "numbers). Both systems get `p5_handlers.py` attached to every job and run %d processors "
                + "(Jet's default local parallelism). hzpy: `PyTransforms.mapUsingPythonBatch`, batches of %d, "
                + "%d in flight per processor. The peer: `PythonTransforms.mapUsingPythonBatch` with its fixed "
                + "settings (batches of whatever the inbox holds — it sets no limit — and Jet's default of 4 in "
                + "flight per processor); it builds a venv, runs its pip lines (no-ops here: a `flock` shim, since "
                + "pip cannot reach a package index; Debian's grpcio and protobuf serve instead) and starts one "
                + "CPython gRPC server per processor, for every job. Python: %s.",
                CORES, CORES, HZPY_BATCH, HZPY_IN_FLIGHT, peerPython.startsWith("not measured") ? "n/a" : peerPython));
        result.add(String.format("Each system's first job on the member (%,d items per workload) warms it up and is not "
                + "counted; then %d rounds of %,d items per workload, the two systems alternating (which goes first "
                + "changes each round). *Set-up*: `newJob` → first item at the sink. *Throughput*: the items after "
                + "the first over the time from the first to the last (steady state). Medians of the rounds, "
                + "min – max in brackets.", WARM_UP_ITEMS, ROUNDS, ITEMS));
        Table table = new Table("workload", "system", "Python gets → returns", "items/s, median (min – max)",
                "set-up s, median (min – max)", "throughput hzpy / peer", "≥ 3× the peer's throughput",
                "≤ 0.5 s set-up per job");
        List<String> goalsSetUp = new ArrayList<>();
        Boolean setUpMet = notMeasured[Side.HZPY.ordinal()] == null;
        for (Workload w : Workload.values()) {
            int wi = w.ordinal();
            String ratio = "n/a";
            Boolean ratioMet = null;
            String hzpyWhy = notMeasured[Side.HZPY.ordinal()];
            String peerWhy = notMeasured[Side.PEER.ordinal()];
            double hzpyRate = Stats.median(throughput[Side.HZPY.ordinal()][wi]);
            double peerRate = Stats.median(throughput[Side.PEER.ordinal()][wi]);
            double hzpySetUp = Stats.median(setUp[Side.HZPY.ordinal()][wi]);
            if (hzpyWhy == null && peerWhy == null) {
                ratio = Stats.times(hzpyRate / peerRate);
                ratioMet = hzpyRate / peerRate >= GOAL_RATIO;
            }
            String setUpVerdict = hzpyWhy != null ? "not measured" : hzpySetUp <= GOAL_SET_UP_SECONDS ? "met" : "**missed**";
            if (hzpyWhy == null) {
                goalsSetUp.add(w.name().toLowerCase() + " " + Stats.fmt(hzpySetUp) + " s");
                setUpMet = setUpMet && hzpySetUp <= GOAL_SET_UP_SECONDS;
            }
            table.row(w.label, Side.HZPY.label, w.hzpyTypes, cell(hzpyWhy, throughput[Side.HZPY.ordinal()][wi]),
                    cell(hzpyWhy, setUp[Side.HZPY.ordinal()][wi]), ratio,
                    ratioMet == null ? "not measured" : ratioMet ? "met" : "**missed**", setUpVerdict);
            table.row(w.label, Side.PEER.label, w.peerTypes, cell(peerWhy, throughput[Side.PEER.ordinal()][wi]),
                    cell(peerWhy, setUp[Side.PEER.ordinal()][wi]), "", "", "");
            result.goal(w == Workload.UPPER ? "upper-case strings: ≥ 3× the peer's throughput"
                    : "numbers: ≥ 3× the peer's throughput", ratio, ratioMet);
        }
        result.add(table.toMarkdown());
        result.goal("job set-up ≤ 0.5 s (submit → first item out)",
                goalsSetUp.isEmpty() ? "n/a" : String.join(", ", goalsSetUp), goalsSetUp.isEmpty() ? null : setUpMet);
        result.add(String.format("First job on the member (the warm-up, %,d items), set-up: hzpy %s s (upper-case), "
                        + "%s s (numbers); the peer %s s, %s s.",
                WARM_UP_ITEMS, Stats.fmt(firstJobSetUp[0][0]), Stats.fmt(firstJobSetUp[0][1]),
                Stats.fmt(firstJobSetUp[1][0]), Stats.fmt(firstJobSetUp[1][1])));
        for (Side side : Side.values()) {
            if (notMeasured[side.ordinal()] != null) {
                result.add("**" + side.label + " not measured:** " + notMeasured[side.ordinal()]);
            }
        }
    }

    /** "median (min – max)", or "not measured" when the system has no figures. */
    private static String cell(String notMeasured, double[] samples) {
        if (notMeasured != null) {
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
        String s = root.getClass().getSimpleName() + ": " + root.getMessage();
        s = s.replaceAll("\\s+", " ");
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
