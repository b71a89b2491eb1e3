package org.hzpy.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * P7: heap and RSS per extra context, for both {@code hzpy.engine} values. Each engine value is
 * measured in a fresh JVM of its own ({@link MemoryProbe}).
 */
final class P7Memory implements Benchmark {
    private static final List<String> ENGINES = List.of("shared", "per-context");
    private static final int[] CONTEXTS = {1, 2, 4};
    private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(4);
    /** A fixed, pre-touched heap: RSS then no longer moves with heap sizing, so RSS deltas are off-heap memory. */
    private static final List<String> PROBE_FLAGS = List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch");

    @Override
    public String id() {
        return "P7";
    }

    @Override
    public String title() {
        return "Memory per extra context";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(9);
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        result.add("For each `hzpy.engine` value a fresh JVM with a fixed, pre-touched 1 GiB heap (`-Xms1g -Xmx1g "
                + "-XX:+AlwaysPreTouch`, so RSS does not move with heap sizing) reads used heap (`MemoryMXBean`, "
                + "after `System.gc()` until two readings a second apart agree within 1 MB) and RSS (`VmRSS` of "
                + "/proc/self/status) before any member; then starts a member (ISOLATED mode, pre-warm on) with 1 "
                + "context, waits with `py.awaitReady(n, …)`, idles 2 s and measures; then restarts the member's "
                + "contexts with `py.contexts().stop()` / `start(n)` for 2 and 4 contexts and measures again. With "
                + "the heap fixed, RSS deltas are off-heap memory (compiled code, metaspace, native memory, "
                + "thread stacks); a shared engine keeps its compiled code across the restarts, as it does when a "
                + "member adds contexts. Per extra context ≈ heap delta + RSS delta.");
        Table absolute = new Table("hzpy.engine", "contexts", "heap MB", "RSS MB", "start → all ready ms");
        Table deltas = new Table("hzpy.engine",
                "heap MB per extra context (1→2)", "heap MB per extra context (1→4, ÷3)",
                "off-heap RSS MB per extra context (1→2)", "off-heap RSS MB per extra context (1→4, ÷3)");
        String counts = String.join(",", java.util.Arrays.stream(CONTEXTS).mapToObj(String::valueOf).toList());
        for (String engine : ENGINES) {
            Properties p = probe(engine, counts);
            absolute.row(engine, "none (JVM before the member)", Stats.fmt(num(p, "heap.0")),
                    Stats.fmt(num(p, "rss.0")), "");
            for (int n : CONTEXTS) {
                absolute.row(engine, n, Stats.fmt(num(p, "heap." + n)), Stats.fmt(num(p, "rss." + n)),
                        p.getProperty("readyMs." + n) + (n == CONTEXTS[0] ? " (member start, cold)" : " (restart)"));
            }
            int a = CONTEXTS[0];
            int b = CONTEXTS[1];
            int c = CONTEXTS[2];
            deltas.row(engine,
                    Stats.fmt((num(p, "heap." + b) - num(p, "heap." + a)) / (b - a)),
                    Stats.fmt((num(p, "heap." + c) - num(p, "heap." + a)) / (c - a)),
                    Stats.fmt((num(p, "rss." + b) - num(p, "rss." + a)) / (b - a)),
                    Stats.fmt((num(p, "rss." + c) - num(p, "rss." + a)) / (c - a)));
        }
        result.add(absolute.toMarkdown());
        result.add(deltas.toMarkdown());
        return result;
    }

    private static Properties probe(String engine, String counts) throws IOException, InterruptedException {
        Path file = Files.createTempFile("hzpy-bench-p7-", ".properties");
        try {
            int code = ChildJvm.run(PROBE_TIMEOUT, PROBE_FLAGS, MemoryProbe.class, engine, counts, file.toString());
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            if (code != 0 || !p.containsKey("heap.0")) {
                throw new IOException("the memory probe for engine " + engine + " exited with " + code);
            }
            return p;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double num(Properties p, String key) {
        return Double.parseDouble(p.getProperty(key));
    }
}
