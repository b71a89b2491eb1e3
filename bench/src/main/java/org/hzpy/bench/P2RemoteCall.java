package org.hzpy.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import org.hzpy.Py;
import org.hzpy.PyCall;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * P2: a client's call of a trivial Python function on a member (hzpy's executor task, IDS) against
 * a bare executor-service task that returns its argument (also IDS), same member, same client,
 * same executor, interleaved: serial latency, and throughput with 64 calls in flight. For scale, a
 * third path: a bare task whose body makes the same Python call on the member, which splits the
 * difference into running Python in an executor task and hzpy's remote call around it.
 */
final class P2RemoteCall implements Benchmark {
    private static final String SOURCE = "def identity(x):\n    return x\n";
    private static final int CALLS_PER_SAMPLE = 1_000;
    private static final int SAMPLES = 20;
    private static final int IN_FLIGHT = 64;
    /** Calls per {@code parallel} batch in the batched throughput row: {@value #IN_FLIGHT} / this batches in flight. */
    private static final int BATCH = 16;
    private static final Duration THROUGHPUT_WINDOW = Duration.ofSeconds(4);
    private static final int THROUGHPUT_ROUNDS = 5;
    private static final Duration WARM_UP = Duration.ofSeconds(8);

    @Override
    public String id() {
        return "P2";
    }

    @Override
    public String title() {
        return "Client → member call vs a bare executor task";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(7);
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        HazelcastInstance member = Members.start(Map.of("hzpy.contexts", "2", "hzpy.max-concurrent", "128"),
                c -> {
                    c.getSerializationConfig().addDataSerializableFactory(NoopTask.FACTORY_ID, NoopTask.FACTORY);
                    c.getExecutorConfig("hzpy").setPoolSize(16);
                });
        ClientConfig clientConfig = new ClientConfig();
        clientConfig.setClusterName(member.getConfig().getClusterName());
        clientConfig.setProperty("hazelcast.logging.type", "jdk");
        clientConfig.getNetworkConfig().addAddress("127.0.0.1:" + member.getCluster().getLocalMember().getAddress().getPort());
        clientConfig.getSerializationConfig().addDataSerializableFactory(NoopTask.FACTORY_ID, NoopTask.FACTORY);
        HazelcastInstance client = HazelcastClient.newHazelcastClient(clientConfig);
        try {
            Py onMember = Members.ready(member, 2);
            Members.awaitCompilerQuiet(); // the warm-up's compile backlog took ~1.4 cores through the measurement (JFR)
            Members.recordEngine(result, onMember);
            onMember.exec(SOURCE);
            Py py = Py.on(client);
            IExecutorService executor = client.getExecutorService("hzpy");
            Member target = client.getCluster().getMembers().iterator().next();

            Call hzpy = () -> check((Long) py.call("__main__", "identity", 1L));
            Call bare = () -> check(executor.submitToMember(new NoopTask(1), target).get());
            Call barePython = () -> check(executor.submitToMember(new BarePythonTask(1), target).get());
            warmUp(hzpy);
            warmUp(bare);
            warmUp(barePython);
            double[] hzpyNs = new double[SAMPLES * CALLS_PER_SAMPLE];
            double[] bareNs = new double[SAMPLES * CALLS_PER_SAMPLE];
            double[] barePythonNs = new double[SAMPLES * CALLS_PER_SAMPLE];
            for (int s = 0; s < SAMPLES; s++) {
                sample(hzpy, hzpyNs, s);
                sample(bare, bareNs, s);
                sample(barePython, barePythonNs, s);
            }

            AtomicLong failed = new AtomicLong(); // a failed call is counted as done in a round: none may fail
            Async hzpyAsync = done -> py.callAsync(PyCall.of("__main__", "identity", 1L)).whenComplete((r, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                }
                done.run();
            });
            Async bareAsync = done -> executor.submitToMember(new NoopTask(1), target, callback(done));
            Async barePythonAsync = done -> executor.submitToMember(new BarePythonTask(1), target, callback(done));
            java.util.List<PyCall> batch = java.util.Collections.nCopies(BATCH, PyCall.of("__main__", "identity", 1L));
            Async batchedAsync = done -> py.parallelAsync(batch).whenComplete((outcomes, e) -> { // one outcome per call
                failed.addAndGet(e != null ? BATCH : outcomes.stream().filter(o -> !o.isOk()).count());
                done.run();
            });
            Round[] hzpyRounds = new Round[THROUGHPUT_ROUNDS];
            Round[] bareRounds = new Round[THROUGHPUT_ROUNDS];
            Round[] barePythonRounds = new Round[THROUGHPUT_ROUNDS];
            Round[] batchedRounds = new Round[THROUGHPUT_ROUNDS];
            throughput(hzpyAsync, 1); // warm-up round
            throughput(bareAsync, 1);
            throughput(barePythonAsync, 1);
            throughput(batchedAsync, BATCH);
            for (int r = 0; r < THROUGHPUT_ROUNDS; r++) {
                hzpyRounds[r] = throughput(hzpyAsync, 1);
                bareRounds[r] = throughput(bareAsync, 1);
                barePythonRounds[r] = throughput(barePythonAsync, 1);
                batchedRounds[r] = throughput(batchedAsync, BATCH);
            }
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " hzpy calls failed in the throughput rounds");
            }
            report(result, new Path(hzpyNs, hzpyRounds), new Path(bareNs, bareRounds), new Path(barePythonNs, barePythonRounds),
                    batchedRounds);
        } finally {
            client.shutdown();
            member.shutdown();
        }
        return result;
    }

    private interface Call {
        void run() throws Exception;
    }

    private interface Async {
        void start(Runnable done);
    }

    private static ExecutionCallback<Long> callback(Runnable done) {
        return new ExecutionCallback<>() {
            @Override
            public void onResponse(Long response) {
                done.run();
            }

            @Override
            public void onFailure(Throwable t) {
                done.run();
            }
        };
    }

    /**
     * One path's serial latencies (ns), median and p99, its throughput (calls/s, median of the
     * rounds), the CPU time the process spent per call meanwhile (ns) and the bytes its threads
     * allocated per call (both medians of the rounds).
     */
    private record Path(double median, double p99, double throughput, double cpuPerCall, double bytesPerCall) {
        Path(double[] ns, Round[] rounds) {
            this(Stats.median(ns), Stats.percentile(ns, 99), median(rounds, Round::callsPerSecond),
                    median(rounds, Round::cpuNanosPerCall), median(rounds, Round::bytesPerCall));
        }

        private static double median(Round[] rounds, java.util.function.ToDoubleFunction<Round> figure) {
            return Stats.median(java.util.Arrays.stream(rounds).mapToDouble(figure).toArray());
        }

        Object[] row(String name) {
            return new Object[] {name, Stats.fmt(median / 1000), Stats.fmt(p99 / 1000), Stats.fmt(throughput),
                    Stats.fmt(cpuPerCall / 1000), Stats.fmt(bytesPerCall)};
        }
    }

    private static void check(long v) {
        if (v != 1) {
            throw new IllegalStateException("identity(1) returned " + v);
        }
    }

    private static void warmUp(Call call) throws Exception {
        long end = System.nanoTime() + WARM_UP.toNanos();
        while (System.nanoTime() < end) {
            call.run();
        }
    }

    private static void sample(Call call, double[] into, int sample) throws Exception {
        for (int i = 0; i < CALLS_PER_SAMPLE; i++) {
            long t0 = System.nanoTime();
            call.run();
            into[sample * CALLS_PER_SAMPLE + i] = System.nanoTime() - t0;
        }
    }

    /**
     * One throughput round: calls per second with {@value #IN_FLIGHT} in flight, and per call the
     * process's CPU time and the bytes its threads allocated (client and member both run here).
     */
    private record Round(double callsPerSecond, double cpuNanosPerCall, double bytesPerCall) {
    }

    /**
     * A round of {@value #IN_FLIGHT} calls in flight for the window, {@code callsPerStart} calls in
     * each start of {@code async}.
     */
    private static Round throughput(Async async, int callsPerStart) throws InterruptedException {
        int starts = IN_FLIGHT / callsPerStart;
        Semaphore window = new Semaphore(starts);
        AtomicLong done = new AtomicLong();
        long cpu0 = PROCESS.getProcessCpuTime();
        java.util.Map<Long, Long> bytes0 = allocatedBytes();
        long t0 = System.nanoTime();
        long end = t0 + THROUGHPUT_WINDOW.toNanos();
        while (System.nanoTime() < end) {
            window.acquire();
            async.start(() -> {
                done.addAndGet(callsPerStart);
                window.release();
            });
        }
        window.tryAcquire(starts, 1, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long cpu = PROCESS.getProcessCpuTime() - cpu0;
        long allocated = 0;
        for (java.util.Map.Entry<Long, Long> e : allocatedBytes().entrySet()) {
            allocated += e.getValue() - bytes0.getOrDefault(e.getKey(), 0L); // a thread new since: all of its bytes
        }
        long calls = done.get();
        return new Round(calls / seconds, cpu / (double) calls, allocated / (double) calls);
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** Bytes each live thread of this JVM has allocated so far, by thread id (a pool thread that ended is not counted). */
    private static java.util.Map<Long, Long> allocatedBytes() {
        long[] ids = THREADS.getAllThreadIds();
        long[] bytes = THREADS.getThreadAllocatedBytes(ids); // -1 for a thread that ended meanwhile
        java.util.Map<Long, Long> out = new java.util.HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                out.put(ids[i], bytes[i]);
            }
        }
        return out;
    }

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private static void report(Result result, Path hzpy, Path bare, Path barePython, Round[] batchedRounds) {
        result.add(String.format("One member (2 contexts) and one client in this JVM, loopback. Serial: %d samples of"
                + " %,d calls per path, interleaved, after %d s of warm-up each; every call timed. Throughput: %d calls"
                + " in flight for %d s, %d rounds per path, interleaved. The third path, for scale, is a bare task"
                + " whose body is the same Python call made on the member: what running Python in an executor task"
                + " costs (a pool thread that may find both contexts busy, Python entered from that thread), without"
                + " hzpy's remote call around it.", SAMPLES, CALLS_PER_SAMPLE,
                WARM_UP.toSeconds(), IN_FLIGHT, THROUGHPUT_WINDOW.toSeconds(), THROUGHPUT_ROUNDS));
        result.add(new Table("path", "median µs/call", "p99 µs/call", "calls/s, 64 in flight (median)",
                "CPU µs/call, 64 in flight (client and member, median)", "bytes allocated/call (client and member, median)")
                .row(hzpy.row("hzpy `Py.on(client).call(\"__main__\", \"identity\", 1L)`"))
                .row(bare.row("bare `executor.submitToMember(new NoopTask(1), member).get()`"))
                .row(barePython.row("for scale: a bare task whose body is `Py.on(member).call(\"__main__\", \"identity\", 1L)`"))
                .toMarkdown());
        double latency = hzpy.median() / bare.median();
        double tput = hzpy.throughput() / bare.throughput();
        result.add(String.format("hzpy / bare: latency **%s** (median), **%s** (p99); throughput **%s**. hzpy / the bare"
                + " task running the same Python: latency %s (median), throughput %s; that task / bare: latency %s,"
                + " throughput %s. CPU per call with 64 in flight: hzpy %s µs more than the bare task running the same"
                + " Python, which takes %s µs more than the bare task (the 2 cores are the bound: client and member share them).",
                Stats.times(latency), Stats.times(hzpy.p99() / bare.p99()), Stats.times(tput),
                Stats.times(hzpy.median() / barePython.median()), Stats.times(hzpy.throughput() / barePython.throughput()),
                Stats.times(barePython.median() / bare.median()), Stats.times(barePython.throughput() / bare.throughput()),
                Stats.fmt((hzpy.cpuPerCall() - barePython.cpuPerCall()) / 1000),
                Stats.fmt((barePython.cpuPerCall() - bare.cpuPerCall()) / 1000)));
        double budget = bare.cpuPerCall() / 0.9; // CPU bounds throughput here: ≥ 0.9× the calls/s is ≤ this per call
        result.add(String.format("The throughput goal's budget: ≥ 0.9× the bare task's calls/s on these 2 cores allows"
                + " at most %s µs of CPU a call (the bare task's %s / 0.9). Running the same Python in a bare task"
                + " takes %s µs of it, leaving %s µs for all that hzpy's remote call adds (its policy check, its"
                + " registry for cancellation, call ids, typed failures naming the member); it adds %s µs.",
                Stats.fmt(budget / 1000), Stats.fmt(bare.cpuPerCall() / 1000), Stats.fmt(barePython.cpuPerCall() / 1000),
                Stats.fmt((budget - barePython.cpuPerCall()) / 1000), Stats.fmt((hzpy.cpuPerCall() - barePython.cpuPerCall()) / 1000)));
        double batched = Path.median(batchedRounds, Round::callsPerSecond);
        result.add(String.format("Batched: the same calls through `Py.on(client).parallelAsync(...)`, %d calls a batch"
                + " (one task per member), %d batches in flight: %s calls/s, **%s** the bare task's throughput, at %s µs of"
                + " CPU and %s bytes allocated a call (medians of %d rounds, interleaved with the rows above). Each call"
                + " in a batch is answered when the batch is: the price of the higher throughput is that a short call"
                + " waits for the longest in its batch.", BATCH, IN_FLIGHT / BATCH, Stats.fmt(batched),
                Stats.times(batched / bare.throughput()), Stats.fmt(Path.median(batchedRounds, Round::cpuNanosPerCall) / 1000),
                Stats.fmt(Path.median(batchedRounds, Round::bytesPerCall)), THROUGHPUT_ROUNDS));
        result.goal("latency ≤ 1.1× a bare executor task", Stats.times(latency), latency <= 1.1);
        result.goal("throughput ≥ 0.9× a bare executor task", Stats.times(tput), tput >= 0.9);
    }
}
