package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sink;
import com.hazelcast.jet.pipeline.SinkBuilder;
import com.hazelcast.jet.pipeline.test.TestSources;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The fresh JVM of one P13 measurement: two members of one cluster (one context each, Jet on,
 * resource upload on, otherwise hzpy's defaults and any {@code -Dhzpy.*} of this JVM), warm
 * ({@link Members#ready}, then the JVM idle: {@link ColdProbe#awaitQuiet}); then {@link #JOBS} jobs one after another, each the demo's pricing
 * pipeline (40 orders, a keyed Python map and a Python filter, batches of 8) with its Python
 * (pricing.py, rates.py) attached to the job as a directory. Records, per job, ms from
 * {@code newJob} to the last item at the sink and to the job's end.
 * Usage: {@code P13Probe RESULT_FILE}.
 */
public final class P13Probe {
    static final int JOBS = 10;
    static final int ORDERS = 40;
    private static final String DIRECTORY_ID = "pricing";

    /** What the sink of the running job saw: items and the time of the last expected one. */
    static final class Recorder {
        final int expected;
        int count;
        long lastNanos;

        Recorder(int expected) {
            this.expected = expected;
        }

        synchronized void receive(Object item) {
            if (++count == expected) {
                lastNanos = System.nanoTime();
            }
        }
    }

    private static volatile Recorder current;

    private P13Probe() {
    }

    public static void main(String[] args) throws Exception {
        Logs.quiet();
        Path out = Path.of(args[0]);
        Map<String, String> settings = new HashMap<>(Map.of("hzpy.contexts", "1"));
        settings.putAll(Variants.hzpySettingsFromSystemProperties());
        var cluster = Members.oneCluster("hzpy-bench-p13", 2);
        List<HazelcastInstance> members = new ArrayList<>();
        Path dir = Files.createTempDirectory("hzpy-bench-p13");
        Properties p = new Properties();
        try {
            for (int i = 0; i < 2; i++) {
                members.add(Members.start(settings, c -> {
                    cluster.accept(c);
                    c.getJetConfig().setEnabled(true).setResourceUploadEnabled(true);
                }));
            }
            for (HazelcastInstance m : members) {
                Members.ready(m, 1);
            }
            ColdProbe.awaitQuiet(); // the compilations the warm-up queued are done, as on members idle for a while
            for (String f : List.of("pricing.py", "rates.py")) {
                Files.writeString(dir.resolve(f), Resources.text("p13/" + f), StandardCharsets.UTF_8);
            }
            List<Map<String, Object>> orders = orders();
            int large = 0;
            for (Map<String, Object> o : orders) { // what pricing.is_large keeps (the same arithmetic in Java)
                large += largeOrder(o) ? 1 : 0;
            }
            for (int job = 1; job <= JOBS; job++) {
                Recorder r = new Recorder(large);
                current = r;
                JobConfig config = new JobConfig().setName("p13-" + job).attachDirectory(dir.toString(), DIRECTORY_ID);
                long t0 = System.nanoTime();
                Job j = members.get(0).getJet().newJob(pipeline(orders), config);
                j.getFuture().get(5, TimeUnit.MINUTES);
                long end = System.nanoTime();
                if (r.count != large) {
                    throw new IllegalStateException("job " + job + " emitted " + r.count + " orders, expected " + large);
                }
                p.setProperty("last." + job, String.valueOf((r.lastNanos - t0) / 1e6));
                p.setProperty("done." + job, String.valueOf((end - t0) / 1e6));
                System.out.printf("P13: job %d: last item %.0f ms, done %.0f ms after newJob%n", job,
                        (r.lastNanos - t0) / 1e6, (end - t0) / 1e6);
            }
        } finally {
            for (int i = members.size() - 1; i >= 0; i--) { // the master last: the other tells it it leaves
                members.get(i).shutdown();
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        System.exit(0);
    }

    /** The demo's 40 orders (client-demo's DemoClient). */
    static List<Map<String, Object>> orders() {
        List<Map<String, Object>> orders = new ArrayList<>();
        String[] countries = {"DE", "FR", "NL", "IE"};
        for (int id = 1; id <= ORDERS; id++) {
            orders.add(Map.of("id", (long) id, "qty", (long) (1 + id % 7), "unit_price", 4.5 * (1 + id % 5),
                    "country", countries[id % countries.length]));
        }
        return orders;
    }

    private static boolean largeOrder(Map<String, Object> o) {
        Map<String, Double> vat = Map.of("DE", 0.19, "FR", 0.20, "NL", 0.21, "IE", 0.23);
        double total = (Long) o.get("qty") * (Double) o.get("unit_price") * (1 + vat.get((String) o.get("country")));
        return Math.round(total * 100) / 100.0 >= 100.0;
    }

    private static Pipeline pipeline(List<Map<String, Object>> orders) {
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(orders))
                .apply(PyTransforms.<Map<String, Object>, Object, Map<String, Object>>mapUsingPythonBatch(
                        o -> o.get("id"), PyStageConfig.of("pricing", "price").attachedDirectory(DIRECTORY_ID).batchSize(8)))
                .apply(PyTransforms.<Map<String, Object>>filterUsingPythonBatch(
                        PyStageConfig.of("pricing", "is_large").attachedDirectory(DIRECTORY_ID).batchSize(8)))
                .writeTo(sink());
        return p;
    }

    private static Sink<Object> sink() {
        return SinkBuilder.sinkBuilder("p13-recorder", ctx -> current)
                .<Object>receiveFn(Recorder::receive)
                .preferredLocalParallelism(1)
                .build();
    }
}
