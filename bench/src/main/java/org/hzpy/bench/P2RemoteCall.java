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
 * same executor, interleaved: serial latency, and throughput with 64 calls in flight.
 */
final class P2RemoteCall implements Benchmark {
    private static final String SOURCE = "def identity(x):\n    return x\n";
    private static final int CALLS_PER_SAMPLE = 1_000;
    private static final int SAMPLES = 20;
    private static final int IN_FLIGHT = 64;
    private static final Duration THROUGHPUT_WINDOW = Duration.ofSeconds(4);
    private static final int THROUGHPUT_ROUNDS = 3;
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
        return Duration.ofMinutes(5);
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
            warmUp(hzpy);
            warmUp(bare);
            double[] hzpyNs = new double[SAMPLES * CALLS_PER_SAMPLE];
            double[] bareNs = new double[SAMPLES * CALLS_PER_SAMPLE];
            for (int s = 0; s < SAMPLES; s++) {
                sample(hzpy, hzpyNs, s);
                sample(bare, bareNs, s);
            }

            Async hzpyAsync = done -> py.callAsync(PyCall.of("__main__", "identity", 1L))
                    .whenComplete((r, e) -> done.run());
            Async bareAsync = done -> executor.submitToMember(new NoopTask(1), target, new ExecutionCallback<Long>() {
                @Override
                public void onResponse(Long response) {
                    done.run();
                }

                @Override
                public void onFailure(Throwable t) {
                    done.run();
                }
            });
            double[] hzpyRate = new double[THROUGHPUT_ROUNDS];
            double[] bareRate = new double[THROUGHPUT_ROUNDS];
            throughput(hzpyAsync); // warm-up round
            throughput(bareAsync);
            for (int r = 0; r < THROUGHPUT_ROUNDS; r++) {
                hzpyRate[r] = throughput(hzpyAsync);
                bareRate[r] = throughput(bareAsync);
            }
            report(result, hzpyNs, bareNs, hzpyRate, bareRate);
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

    /** Calls per second with {@value #IN_FLIGHT} in flight for the window. */
    private static double throughput(Async async) throws InterruptedException {
        Semaphore window = new Semaphore(IN_FLIGHT);
        AtomicLong done = new AtomicLong();
        long t0 = System.nanoTime();
        long end = t0 + THROUGHPUT_WINDOW.toNanos();
        while (System.nanoTime() < end) {
            window.acquire();
            async.start(() -> {
                done.incrementAndGet();
                window.release();
            });
        }
        window.tryAcquire(IN_FLIGHT, 1, TimeUnit.MINUTES);
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }

    private static void report(Result result, double[] hzpyNs, double[] bareNs, double[] hzpyRate, double[] bareRate) {
        double hzpyMedian = Stats.median(hzpyNs);
        double bareMedian = Stats.median(bareNs);
        double hzpyP99 = Stats.percentile(hzpyNs, 99);
        double bareP99 = Stats.percentile(bareNs, 99);
        double hzpyTput = Stats.median(hzpyRate);
        double bareTput = Stats.median(bareRate);
        result.add(String.format("One member (2 contexts) and one client in this JVM, loopback. Serial: %d samples of"
                + " %,d calls per path, interleaved, after %d s of warm-up each; every call timed. Throughput: %d calls"
                + " in flight for %d s, %d rounds per path, interleaved.", SAMPLES, CALLS_PER_SAMPLE,
                WARM_UP.toSeconds(), IN_FLIGHT, THROUGHPUT_WINDOW.toSeconds(), THROUGHPUT_ROUNDS));
        result.add(new Table("path", "median µs/call", "p99 µs/call", "calls/s, 64 in flight (median)")
                .row("hzpy `Py.on(client).call(\"__main__\", \"identity\", 1L)`", Stats.fmt(hzpyMedian / 1000),
                        Stats.fmt(hzpyP99 / 1000), Stats.fmt(hzpyTput))
                .row("bare `executor.submitToMember(new NoopTask(1), member).get()`", Stats.fmt(bareMedian / 1000),
                        Stats.fmt(bareP99 / 1000), Stats.fmt(bareTput))
                .toMarkdown());
        double latency = hzpyMedian / bareMedian;
        double tput = hzpyTput / bareTput;
        result.add(String.format("hzpy / bare: latency **%s** (median), **%s** (p99); throughput **%s**.",
                Stats.times(latency), Stats.times(hzpyP99 / bareP99), Stats.times(tput)));
        result.goal("latency ≤ 1.1× a bare executor task", Stats.times(latency), latency <= 1.1);
        result.goal("throughput ≥ 0.9× a bare executor task", Stats.times(tput), tput >= 0.9);
    }
}
