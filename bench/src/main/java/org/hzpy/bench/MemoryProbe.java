package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * The fresh JVM of P7 for one {@code hzpy.engine} value: heap and RSS before a member starts,
 * then with each context count in turn (the member's router is restarted with the next count).
 * Usage: {@code MemoryProbe ENGINE COUNT[,COUNT...] RESULT_FILE}.
 */
public final class MemoryProbe {
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final long IDLE_MILLIS = 2000;
    private static final int MAX_GC_ROUNDS = 10;
    private static final double STABLE_MB = 1.0;

    private MemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        Logs.quiet();
        String engine = args[0];
        String[] counts = args[1].split(",");
        Properties out = new Properties();
        out.setProperty("heap.0", String.valueOf(settledHeapMB()));
        out.setProperty("rss.0", String.valueOf(rssMB()));
        HazelcastInstance member = Members.start(Map.of("hzpy.engine", engine, "hzpy.contexts", counts[0],
                "hzpy.execution-mode", "isolated"));
        Py py = Py.on(member);
        for (int i = 0; i < counts.length; i++) {
            int n = Integer.parseInt(counts[i]);
            long t0 = System.nanoTime();
            if (i > 0) {
                py.contexts().stop();
                py.contexts().start(n);
            }
            if (!py.awaitReady(n, READY_TIMEOUT)) {
                throw new IllegalStateException(n + " contexts were not ready within "
                        + READY_TIMEOUT.toSeconds() + " s");
            }
            out.setProperty("readyMs." + n, String.valueOf((System.nanoTime() - t0) / 1_000_000));
            out.setProperty("heap." + n, String.valueOf(settledHeapMB()));
            out.setProperty("rss." + n, String.valueOf(rssMB()));
            System.out.printf("P7: engine %s, %d context(s): heap %s MB, RSS %s MB%n", engine, n,
                    Stats.fmt(Double.parseDouble(out.getProperty("heap." + n))),
                    Stats.fmt(Double.parseDouble(out.getProperty("rss." + n))));
        }
        try (Writer w = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8)) {
            out.store(w, null);
        }
        member.shutdown();
        System.exit(0);
    }

    /**
     * Used heap after full GCs, once two readings a second apart agree within {@link #STABLE_MB}
     * (background compilations finish and their garbage goes).
     */
    private static double settledHeapMB() throws InterruptedException {
        Thread.sleep(IDLE_MILLIS);
        double previous = Double.MAX_VALUE;
        double now = 0;
        for (int i = 0; i < MAX_GC_ROUNDS; i++) {
            System.gc();
            now = heapUsedMB();
            if (Math.abs(now - previous) <= STABLE_MB) {
                break;
            }
            previous = now;
            Thread.sleep(1000);
        }
        return now;
    }

    private static double heapUsedMB() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    }

    /** The resident set of this process from /proc/self/status, or NaN where there is none. */
    private static double rssMB() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024.0).orElse(Double.NaN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
