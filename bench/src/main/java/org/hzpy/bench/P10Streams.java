package org.hzpy.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyOutcome;
import org.hzpy.PyStream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * P10: {@code py.stream} over a generator of small ints and of small dicts, on the member and
 * from a client, in items/s, against the same items fetched as lists by calls one after another
 * (64 a call) and by {@code py.parallel} (16 such calls at once); and the time to a stream's first
 * item against one call. One member (2 contexts) and a client in this JVM.
 */
final class P10Streams implements Benchmark {
    private static final String SOURCE = String.join("\n",
            "def small_ints(n):",
            "    yield from range(n)",
            "def small_dicts(n):",
            "    for i in range(n):",
            "        yield {'id': i, 'name': 'item', 'ok': True}",
            "def ints_list(start, n):",
            "    return list(range(start, start + n))",
            "def dicts_list(start, n):",
            "    return [{'id': i, 'name': 'item', 'ok': True} for i in range(start, start + n)]",
            "def one(x):",
            "    return x",
            "");
    /** Items per stream (and per run of the batched calls). */
    private static final int ITEMS = 20_000;
    private static final int BATCH = PyStream.DEFAULT_BATCH_SIZE;
    private static final int PARALLEL = 16;
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final Duration WINDOW = Duration.ofMillis(1500);
    private static final int ROUNDS = 3;
    private static final int FIRST_ITEM_SAMPLES = 300;
    /** Streams open at once while the time to the first item is measured (each holds a permit). */
    private static final int OPEN_AT_ONCE = 50;

    @Override
    public String id() {
        return "P10";
    }

    @Override
    public String title() {
        return "Streams: items/s and time to the first item";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(4);
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        HazelcastInstance member = Members.start(Map.of("hzpy.contexts", "2", "hzpy.max-concurrent", "256",
                "hzpy.prewarm", "false", "hzpy.call-timeout", "1m"));
        ClientConfig clientConfig = new ClientConfig();
        clientConfig.setClusterName(member.getConfig().getClusterName());
        clientConfig.setProperty("hazelcast.logging.type", "jdk");
        clientConfig.getNetworkConfig().addAddress("127.0.0.1:" + member.getCluster().getLocalMember().getAddress().getPort());
        HazelcastInstance clientInstance = HazelcastClient.newHazelcastClient(clientConfig);
        try {
            Py onMember = Members.ready(member, 2);
            Members.recordEngine(result, onMember);
            onMember.exec(SOURCE);
            Py onClient = Py.on(clientInstance);

            Table rates = new Table("items", "how", "on the member (items/s)", "from a client (items/s)", "client / member");
            double[] streamRatios = new double[2];
            int k = 0;
            for (String kind : List.of("ints", "dicts")) {
                String generator = "small_" + kind;
                String list = kind + "_list";
                double[] stream = {rate(() -> stream(onMember, generator)), rate(() -> stream(onClient, generator))};
                double[] calls = {rate(() -> batchedCalls(onMember, list)), rate(() -> batchedCalls(onClient, list))};
                double[] parallel = {rate(() -> parallel(onMember, list)), rate(() -> parallel(onClient, list))};
                streamRatios[k++] = stream[1] / stream[0];
                rates.row("small " + kind, "`py.stream`, batches of " + BATCH, Stats.fmt(stream[0]), Stats.fmt(stream[1]),
                        Stats.times(stream[1] / stream[0]));
                rates.row("small " + kind, "calls returning " + BATCH + " items, one after another", Stats.fmt(calls[0]),
                        Stats.fmt(calls[1]), Stats.times(calls[1] / calls[0]));
                rates.row("small " + kind, "`py.parallel` of " + PARALLEL + " such calls", Stats.fmt(parallel[0]),
                        Stats.fmt(parallel[1]), Stats.times(parallel[1] / parallel[0]));
            }

            double[] firstItem = {firstItem(onMember), firstItem(onClient)};
            double[] oneCall = {oneCall(onMember), oneCall(onClient)};

            result.add(String.format("One member (2 contexts) and a client in this JVM. Items/s: %,d items a run, as many"
                    + " runs as fit in %d ms, median of %d windows after %d s of warm-up each. Time to the first item:"
                    + " `py.stream(call)` and its first `next()` (the open's answer brings the first batch), median of %d"
                    + " (opened 50 at a time, closed untimed after each 50), against one call of a function returning its argument.",
                    ITEMS, WINDOW.toMillis(), ROUNDS, WARM_UP.toSeconds(), FIRST_ITEM_SAMPLES));
            result.add(rates.toMarkdown());
            result.add(new Table("where", "first item of a stream (µs, median)", "one call (µs, median)", "stream / call")
                    .row("on the member", Stats.fmt(firstItem[0] / 1000), Stats.fmt(oneCall[0] / 1000),
                            Stats.times(firstItem[0] / oneCall[0]))
                    .row("from a client", Stats.fmt(firstItem[1] / 1000), Stats.fmt(oneCall[1] / 1000),
                            Stats.times(firstItem[1] / oneCall[1]))
                    .toMarkdown());
            double worstRatio = Math.min(streamRatios[0], streamRatios[1]);
            double clientFirst = firstItem[1] / oneCall[1];
            result.goal("a client's stream ≥ 0.5× the member's items/s", Stats.times(worstRatio), worstRatio >= 0.5);
            result.goal("time to the first item ≤ 2× one call (client)", Stats.times(clientFirst), clientFirst <= 2.0);
        } finally {
            clientInstance.shutdown();
            member.shutdown();
        }
        return result;
    }

    private static int stream(Py py, String generator) {
        int n = 0;
        try (PyStream s = py.stream(PyCall.of("__main__", generator, ITEMS), BATCH)) {
            while (s.hasNext()) {
                s.next();
                n++;
            }
        }
        if (n != ITEMS) {
            throw new IllegalStateException(generator + " streamed " + n + " items, not " + ITEMS);
        }
        return n;
    }

    private static int batchedCalls(Py py, String list) {
        int n = 0;
        for (int start = 0; start < ITEMS; start += BATCH) {
            n += ((List<?>) py.call("__main__", list, start, BATCH)).size();
        }
        return n;
    }

    private static int parallel(Py py, String list) {
        int n = 0;
        for (int start = 0; start < ITEMS; start += BATCH * PARALLEL) {
            List<PyCall> calls = new ArrayList<>(PARALLEL);
            for (int i = 0; i < PARALLEL; i++) {
                calls.add(PyCall.of("__main__", list, start + i * BATCH, BATCH));
            }
            for (PyOutcome o : py.parallel(calls)) {
                n += ((List<?>) o.get()).size();
            }
        }
        return n;
    }

    /** Items a second: warm-up, then the median of {@link #ROUNDS} windows. */
    private static double rate(IntSupplier run) {
        long warm = System.nanoTime() + WARM_UP.toNanos();
        while (System.nanoTime() < warm) {
            run.getAsInt();
        }
        double[] rates = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            long end = t0 + WINDOW.toNanos();
            long items = 0;
            do {
                items += run.getAsInt();
            } while (System.nanoTime() < end);
            rates[r] = items / ((System.nanoTime() - t0) / 1e9);
        }
        return Stats.median(rates);
    }

    /**
     * Nanoseconds from {@code py.stream} to its first item (median). Streams are opened
     * {@value #OPEN_AT_ONCE} at a time and closed after each group, untimed: a client's close travels
     * asynchronously and would otherwise compete with the next open for the context.
     */
    private static double firstItem(Py py) {
        double[] ns = new double[FIRST_ITEM_SAMPLES];
        for (int pass = 0; pass < 2; pass++) { // the first pass warms up
            List<PyStream> open = new ArrayList<>();
            for (int i = 0; i < FIRST_ITEM_SAMPLES; i++) {
                long t0 = System.nanoTime();
                PyStream s = py.stream(PyCall.of("__main__", "small_ints", 1_000_000));
                s.next();
                ns[i] = System.nanoTime() - t0;
                open.add(s);
                if (open.size() == OPEN_AT_ONCE) {
                    open.forEach(PyStream::close);
                    open.clear();
                }
            }
            open.forEach(PyStream::close);
        }
        return Stats.median(ns);
    }

    /** Nanoseconds of one call (median). */
    private static double oneCall(Py py) {
        for (int i = 0; i < FIRST_ITEM_SAMPLES; i++) {
            py.call("__main__", "one", 1L);
        }
        double[] ns = new double[FIRST_ITEM_SAMPLES];
        for (int i = 0; i < FIRST_ITEM_SAMPLES; i++) {
            long t0 = System.nanoTime();
            py.call("__main__", "one", 1L);
            ns[i] = System.nanoTime() - t0;
        }
        return Stats.median(ns);
    }
}
