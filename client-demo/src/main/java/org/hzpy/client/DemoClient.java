package org.hzpy.client;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.test.TestSources;
import org.hzpy.OverloadedException;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyStream;
import org.hzpy.PyOutcome;
import org.hzpy.PythonException;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A remote client of an hzpy cluster: submits Python work to the members and prints what came
 * back. It has the plugin jar and Hazelcast on its class path, and no GraalPy.
 *
 * <pre>
 * DemoClient [--cluster host:port[,host:port...]] [--members N] [--cluster-name NAME]
 * </pre>
 * Defaults: 127.0.0.1:5701,127.0.0.1:5702, waits for 1 member, cluster hzpy-demo (./hazelcast.yaml's).
 */
public final class DemoClient {
    /** Held so the level sticks: java.util.logging keeps loggers weakly. */
    private static final java.util.logging.Logger HAZELCAST_LOG = java.util.logging.Logger.getLogger("com.hazelcast");

    private DemoClient() {
    }

    public static void main(String[] args) throws Exception {
        String addresses = "127.0.0.1:5701,127.0.0.1:5702";
        String clusterName = "hzpy-demo";
        int members = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--cluster" -> addresses = args[i + 1];
                case "--members" -> members = Integer.parseInt(args[i + 1]);
                case "--cluster-name" -> clusterName = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --cluster host:port[,...] --members N --cluster-name NAME");
            }
        }
        HAZELCAST_LOG.setLevel(java.util.logging.Level.SEVERE); // not the "connection refused" of members still starting
        ClientConfig config = new ClientConfig();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.logging.type", "jdk");
        // a state write whose backup did not confirm fails (hzpy sends it again) instead of counting as done
        config.setProperty("hazelcast.client.operation.fail.on.indeterminate.state", "true");
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(180_000);
        for (String a : addresses.split(",")) {
            config.getNetworkConfig().addAddress(a.trim());
        }
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        try {
            awaitMembers(client, members);
            run(client, Py.on(client));
        } finally {
            client.shutdown();
        }
    }

    private static void awaitMembers(HazelcastInstance client, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (client.getCluster().getMembers().size() < n && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static void run(HazelcastInstance client, Py py) throws Exception {
        System.out.println("hzpy client (no GraalPy on this JVM's class path) connected to " + client.getCluster().getMembers().size()
                + " members:");
        for (Member m : client.getCluster().getMembers()) {
            System.out.println("    " + m.getAddress());
        }
        line("demo.greet('remote client')", py.call("demo", "greet", "remote client"));

        List<Object> pids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pids.add(py.call("demo", "where"));
        }
        line("4 calls without a key", "ran in member processes " + pids + " (each member in turn)");

        for (String key : List.of("alice", "bob", "carol", "dave")) {
            Member owner = client.getPartitionService().getPartition(key).getOwner();
            Object pid = py.call(PyCall.of("demo", "where").key(key));
            line("call keyed '" + key + "'", "ran in process " + pid + " on " + owner.getAddress() + ", the key's owner");
        }

        py.exec("def triple(x):\n    return x * 3");
        line("exec'd __main__.triple(14)", py.call("__main__", "triple", 14) + ", and on the other member: "
                + py.call("__main__", "triple", 14) + " (exec reaches every member)");

        try {
            py.call("demo", "greet");
        } catch (PythonException e) {
            line("demo.greet() with no name", e.pythonType() + ": " + e.message());
            for (String tb : e.traceback().strip().split("\n")) {
                System.out.println("        | " + tb);
            }
        }

        callbacksStateAndParallel(py);
        jetPipeline(client);
        for (org.hzpy.PyMemoryStats m : py.memoryStats()) {
            line("memory of " + m.member(), String.format("%d contexts, heap %,d MB live of %,d MB, gc counts per context %s",
                    m.contexts(), m.heapLiveBytes() >> 20, m.heapMaxBytes() >> 20, m.gcCounts()));
        }
        overloadBurst(py);
        progressBar(py);
        streamWithProgress(py);
        asyncAwaitingJava(py);
        deployAndUpgradeLive(py);
    }

    /** A package deployed from this client to every member, then upgraded while calls keep running. */
    private static void deployAndUpgradeLive(Py py) throws Exception {
        long first = py.modules().deploy("tariffs", tariffs(1, 0.20));
        line("deployed tariffs", "version " + first + " from this client; tariffs.tax.gross(100.0) = " + py.call("tariffs.tax", "gross", 100.0));
        Map<Object, Integer> seen = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger failed = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread load = new Thread(() -> {
            while (running.get()) {
                try {
                    Object r = py.call("tariffs.tax", "gross", 100.0);
                    seen.merge(((Map<?, ?>) r).get("version"), 1, Integer::sum);
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                }
            }
        }, "demo-load");
        load.start();
        Thread.sleep(500);
        long second = py.modules().deploy("tariffs", tariffs(2, 0.19)); // while the calls run
        Thread.sleep(500);
        running.set(false);
        load.join(60_000);
        line("upgraded it live to version " + second, "calls meanwhile, by the version that answered: " + new java.util.TreeMap<>(seen)
                + ", failed: " + failed.get());
        for (org.hzpy.PyModuleInfo info : py.modules().list()) {
            line("py.modules().list()", info.name() + " v" + info.version() + ", " + info.sizeBytes() + " bytes, modules "
                    + info.modules() + ", loaded by " + info.loadedBy() + ", versions kept " + info.versions());
        }
        py.modules().rollback("tariffs", first);
        line("rolled back to version " + first, "tariffs.tax.gross(100.0) = " + py.call("tariffs.tax", "gross", 100.0));
    }

    private static Map<String, String> tariffs(int version, double rate) {
        return Map.of(
                "tariffs/__init__.py", "VERSION = " + version + "\nRATE = " + rate + "\n",
                "tariffs/tax.py", "from tariffs import RATE, VERSION\n\n\ndef gross(net):\n"
                        + "    return {'version': VERSION, 'gross': round(net * (1 + RATE), 2)}\n");
    }

    /**
     * A Jet job whose stages are Python shipped with the job (client-demo/python/pricing, attached
     * to it): orders are priced on the members that own their ids, then the large ones are kept.
     */
    private static void jetPipeline(HazelcastInstance client) {
        List<Map<String, Object>> orders = new ArrayList<>();
        String[] countries = {"DE", "FR", "NL", "IE"};
        for (int id = 1; id <= 40; id++) {
            orders.add(Map.of("id", (long) id, "qty", (long) (1 + id % 7), "unit_price", 4.5 * (1 + id % 5),
                    "country", countries[id % countries.length]));
        }
        String sink = "demo-large-orders";
        client.getList(sink).clear();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(orders))
                .apply(PyTransforms.<Map<String, Object>, Object, Map<String, Object>>mapUsingPythonBatch(
                        o -> o.get("id"), PyStageConfig.of("pricing", "price").attachedDirectory("pricing").batchSize(8)))
                .apply(PyTransforms.<Map<String, Object>>filterUsingPythonBatch(
                        PyStageConfig.of("pricing", "is_large").attachedDirectory("pricing").batchSize(8)))
                .writeTo(Sinks.list(sink));
        JobConfig config = new JobConfig().setName("hzpy-demo-pricing")
                .attachDirectory("client-demo/python/pricing", "pricing")
                .addClass(DemoClient.class); // the key function above is a lambda of this class
        long t0 = System.nanoTime();
        Job job = client.getJet().newJob(p, config);
        job.join();
        List<Map<String, Object>> large = new ArrayList<>(client.<Map<String, Object>>getList(sink));
        java.util.Set<Object> pricedBy = new java.util.TreeSet<>();
        large.forEach(o -> pricedBy.add(o.get("priced_by")));
        line("Jet job pricing 40 orders", large.size() + " orders of 100 EUR or more, in " + (System.nanoTime() - t0) / 1_000_000
                + " ms from submit to done; priced by member processes " + pricedBy);
        large.sort(java.util.Comparator.comparing(o -> (Double) o.get("total")));
        Map<String, Object> top = large.get(large.size() - 1);
        line("  the largest", "order " + top.get("id") + ": " + top.get("qty") + " x " + top.get("unit_price") + " to "
                + top.get("country") + " = " + top.get("total") + " EUR with VAT");
    }

    /** Python calling Java calling Python (functions the members registered), the shared state, parallel. */
    private static void callbacksStateAndParallel(Py py) {
        long t0 = System.nanoTime();
        Object fib = py.call(PyCall.of("demo", "fib_py", 40).key("fib"));
        line("demo.fib_py(40)", fib + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms: 40 levels of Python -> Java"
                + " -> Python, each answer kept in the IMap by Java (" + py.state().keys().stream()
                .filter(k -> k.startsWith("demo:fib:")).count() + " entries)");
        line("Invoice([19.99, 5.01]).total_in('EUR')", py.call("demo", "invoice_total", List.of(19.99, 5.01), "EUR")
                + " (a Python method asked Java for the rate)");

        py.state().remove("demo:visits");
        List<PyCall> visits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            visits.add(PyCall.of("demo", "count_visit"));
        }
        List<PyOutcome> outcomes = py.parallel(visits);
        java.util.Set<String> servedBy = new java.util.TreeSet<>();
        outcomes.forEach(o -> servedBy.add(o.servedBy()));
        line("20 count_visit() in parallel", "counter = " + py.state().fetch("demo:visits").orElse(0L) + ", incremented from "
                + servedBy.size() + " members " + servedBy);
    }

    /** Many calls at once: more than the members' limits allow, so some are refused at once. */
    private static void overloadBurst(Py py) {
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(py.callAsync(PyCall.of("demo", "slow", 0.05, i)).toCompletableFuture());
        }
        Map<String, Integer> outcomes = new HashMap<>();
        for (CompletableFuture<Object> c : calls) {
            String outcome;
            try {
                c.get(2, TimeUnit.MINUTES);
                outcome = "ok";
            } catch (Exception e) {
                outcome = e.getCause() instanceof OverloadedException ? "refused (OverloadedException)" : e.toString();
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        line("200 calls at once", outcomes);
    }

    private static void progressBar(Py py) throws Exception {
        int total = 60;
        AtomicInteger done = new AtomicInteger();
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            // a few at a time, so that the members' limits are not hit
            while (i - done.get() >= 4) {
                Thread.sleep(5);
            }
            calls.add(py.callAsync(PyCall.of("demo", "fib", 22)).toCompletableFuture().whenComplete((r, e) -> {
                int n = done.incrementAndGet();
                int width = 30;
                int filled = n * width / total;
                System.out.print("\r  " + String.format("%-34s", "a batch of " + total + " fib(22) calls")
                        + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + n + "/" + total);
            }));
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get(5, TimeUnit.MINUTES);
        System.out.println("  = " + calls.get(0).get() + " each");
    }

    /** A Python generator read as a stream: a batch at a time, the generator never more than one batch ahead. */
    private static void streamWithProgress(Py py) {
        int total = 2_000;
        long t0 = System.nanoTime();
        double sum = 0;
        int n = 0;
        java.util.Set<Object> members = new java.util.TreeSet<>();
        try (PyStream readings = py.stream(PyCall.of("demo", "readings", total), 100)) {
            while (readings.hasNext()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> r = (Map<String, Object>) readings.next();
                sum += (Double) r.get("value");
                members.add(r.get("member"));
                if (++n % 100 == 0) {
                    int filled = n * 30 / total;
                    System.out.print("\r  " + String.format("%-34s", "a stream of " + total + " readings") + " ["
                            + "#".repeat(filled) + " ".repeat(30 - filled) + "] " + n + "/" + total);
                }
            }
        }
        System.out.printf("  mean %.2f, from member process %s, in %d ms%n", sum / n, members,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** An async def awaiting a Java CompletableFuture per symbol: 8 waits of 200 ms overlap in one context. */
    private static void asyncAwaitingJava(Py py) {
        List<String> symbols = List.of("HZ", "PY", "JVM", "GIL", "JIT", "IMAP", "JET", "CP");
        py.call("demo", "quotes", symbols); // the first call in a context imports asyncio
        Object quotes = py.call("demo", "quotes", symbols);
        line("async demo.quotes(8 symbols)", quotes + "  (8 Java futures of 200 ms each, awaited together)");
    }

    private static void line(String what, Object value) {
        System.out.printf("  %-34s %s%n", what, value);
    }
}
