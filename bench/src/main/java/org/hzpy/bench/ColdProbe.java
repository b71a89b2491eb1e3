package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The fresh JVM of one P4b measurement: starts a member (one context, otherwise the defaults and
 * any {@code -Dhzpy.*} of this JVM), waits until it is warm (ready, its start-up warm-up and
 * background training over: {@link Members#ready}), then defines the P4 functions with
 * {@code py.exec} — code this member has never seen — and times the first call of each, in the
 * order of CASES. Then it defines them again as a second, textually different copy (new code,
 * but the standard library and the compiled regexes already used by the first) and times those
 * first calls; then warms the functions up for WARM_SECONDS and times SAMPLES calls of each.
 * Usage: {@code ColdProbe RESULT_FILE WARM_SECONDS}.
 */
public final class ColdProbe {
    private static final int SAMPLES = 7;
    private static final Duration QUIET_WAIT = Duration.ofSeconds(60);
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private ColdProbe() {
    }

    public static void main(String[] args) throws Exception {
        Logs.quiet();
        Path out = Path.of(args[0]);
        int warmSeconds = Integer.parseInt(args[1]);
        Properties p = new Properties();
        Map<String, String> settings = new HashMap<>(Map.of("hzpy.contexts", "1", "hzpy.call-timeout", "5m"));
        settings.putAll(Variants.hzpySettingsFromSystemProperties());
        long t0 = System.nanoTime();
        HazelcastInstance member = Members.start(settings);
        try {
            Py py = Members.ready(member, 1);
            p.setProperty("warmMs", String.valueOf((System.nanoTime() - t0) / 1_000_000));
            p.setProperty("quietMs", String.valueOf(awaitQuiet()));
            p.setProperty("engine", py.engineImplementation());
            String source = Resources.text(Resources.FUNCTIONS);
            List<List<Object>> cases = cases(source); // read here: nothing runs in the member before the first calls
            for (int copy = 1; copy <= 2; copy++) {
                py.exec("# P4b copy " + copy + " (new code for the member)\n" + source);
                for (Object c : cases) {
                    String name = (String) ((List<?>) c).get(0);
                    long arg = (Long) ((List<?>) c).get(1);
                    long cpu0 = OS.getProcessCpuTime();
                    double ms = timeMs(py, name, arg);
                    double cpuMs = (OS.getProcessCpuTime() - cpu0) / 1e6;
                    p.setProperty("first." + copy + "." + name, String.valueOf(ms));
                    p.setProperty("cpu." + copy + "." + name, String.valueOf(cpuMs));
                    System.out.printf("P4b: copy %d, first call of %s(%d): %.1f ms (JVM CPU %.0f ms)%n", copy, name, arg,
                            ms, cpuMs);
                }
            }
            long end = System.nanoTime() + Duration.ofSeconds(warmSeconds).toNanos();
            while (System.nanoTime() < end) {
                for (Object c : cases) {
                    timeMs(py, (String) ((List<?>) c).get(0), (Long) ((List<?>) c).get(1));
                }
            }
            for (Object c : cases) {
                String name = (String) ((List<?>) c).get(0);
                long arg = (Long) ((List<?>) c).get(1);
                double[] ms = new double[SAMPLES];
                for (int s = 0; s < SAMPLES; s++) {
                    ms[s] = timeMs(py, name, arg);
                }
                p.setProperty("warm." + name, String.valueOf(Stats.median(ms)));
            }
        } finally {
            member.shutdown();
        }
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        System.exit(0);
    }

    /**
     * Waits until this JVM is nearly idle (under 0.15 cores over a second: the compilations queued by
     * the warm-up done), at most QUIET_WAIT; a member idle for a while is what a first call meets.
     * Returns the ms waited.
     */
    static long awaitQuiet() throws InterruptedException {
        long t0 = System.nanoTime();
        long cpu = OS.getProcessCpuTime();
        while (System.nanoTime() - t0 < QUIET_WAIT.toNanos()) {
            Thread.sleep(1000);
            long now = OS.getProcessCpuTime();
            boolean quiet = now - cpu < 150_000_000L;
            cpu = now;
            if (quiet) {
                break;
            }
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The CASES of bench_functions.py, [name, arg] each, read from its text. */
    static List<List<Object>> cases(String source) {
        int start = source.indexOf("CASES = [");
        String block = source.substring(start, source.indexOf("\n]\n", start));
        List<List<Object>> cases = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[\"(\\w+)\", (\\d+)\\]").matcher(block);
        while (m.find()) {
            cases.add(List.of(m.group(1), Long.parseLong(m.group(2))));
        }
        return cases;
    }

    private static double timeMs(Py py, String name, long arg) {
        long t0 = System.nanoTime();
        py.call("__main__", name, arg);
        return (System.nanoTime() - t0) / 1e6;
    }
}
