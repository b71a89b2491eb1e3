package org.hzpy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the numbers were measured on. */
record Machine(int cores, String cpu, String memory, String os, String jdk, String jvmFlags, String source) {

    static Machine describe() {
        return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(), memTotal(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                        + System.getProperty("os.arch") + ")",
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.runtime.version"),
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()), sourceState());
    }

    /** The 1, 5 and 15 minute load averages, e.g. "0.52 0.40 0.31". */
    static String loadAverage() {
        List<String> lines = lines("/proc/loadavg");
        if (lines.isEmpty()) {
            return "n/a";
        }
        String[] parts = lines.get(0).trim().split("\\s+");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : "n/a";
    }

    /** The hzpy sources measured: the commit, and whether the plugin's files differ from it. */
    static String sourceState() {
        String commit = git("rev-parse", "--short", "HEAD");
        if (commit.isEmpty()) {
            return "unknown (no git)";
        }
        String changes = git("status", "--porcelain", "--", "plugin", "member-config", "pom.xml");
        return "commit " + commit + (changes.isEmpty() ? ", no local changes in plugin/"
                : ", with uncommitted changes in " + changes.lines().count() + " plugin/build file(s)");
    }

    private static String git(String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of("git"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String cpuModel() {
        return lines("/proc/cpuinfo").stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
    }

    private static String memTotal() {
        return lines("/proc/meminfo").stream().filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> String.format(Locale.ROOT, "%.1f GiB",
                        Long.parseLong(l.replaceAll("\\D", "")) / (1024.0 * 1024.0)))
                .orElse("unknown");
    }

    static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
