package org.hzpy.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The chaos suite's figures as a Markdown section: written to {@code target/chaos.md} on every run,
 * and into the file {@code hzpy.chaos.report} names (docs/reliability.md, by {@code ./bench.sh chaos N})
 * between the markers {@link #BEGIN} and {@link #END}. Not thread-safe: the test thread fills it.
 */
public final class ChaosReport {
    public static final String BEGIN = "<!-- chaos-figures:begin (written by ./bench.sh chaos N) -->";
    public static final String END = "<!-- chaos-figures:end -->";
    private final List<String> rounds = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final long startedNanos = System.nanoTime();

    public void round(String line) {
        rounds.add(line);
        phase(line);
    }

    public void violation(int round, String what) {
        violations.add("round " + round + ": " + what);
        phase("BROKEN round " + round + ": " + what);
    }

    /** A line of progress on standard output, with the seconds since the run began. */
    public void phase(String what) {
        System.out.printf(Locale.ROOT, "chaos %6.1f s: %s%n", (System.nanoTime() - startedNanos) / 1e9, what);
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** The section, with the run's totals. */
    public String markdown(Map<String, Object> totals) {
        StringBuilder md = new StringBuilder();
        md.append(BEGIN).append('\n');
        md.append(String.format(Locale.ROOT, "Run of %s UTC, %.0f s, on %d cores (%s), %s, %s; sources: %s.%n%n",
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(Instant.now().atOffset(ZoneOffset.UTC)),
                (System.nanoTime() - startedNanos) / 1e9, Runtime.getRuntime().availableProcessors(), cpu(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                "JDK " + System.getProperty("java.runtime.version"), source()));
        md.append("| figure | value |\n|---|---|\n");
        totals.forEach((k, v) -> md.append("| ").append(k).append(" | ")
                .append(String.valueOf(v).replace("\n", " ").replace("|", "\\|")).append(" |\n"));
        md.append("\nRounds:\n\n");
        rounds.forEach(r -> md.append("- ").append(r).append('\n'));
        md.append("\nPromises broken: ").append(violations.isEmpty() ? "none" : violations.size()).append('\n');
        violations.forEach(v -> md.append("- ").append(v.replace("\n", " ")).append('\n'));
        md.append(END).append('\n');
        return md.toString();
    }

    /** Writes the section to target/chaos.md and, when asked, into the report file in place of the earlier one. */
    public void write(Map<String, Object> totals) throws IOException {
        String section = markdown(totals);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "chaos.md"), section, StandardCharsets.UTF_8);
        String into = System.getProperty("hzpy.chaos.report", "");
        if (into.isBlank()) {
            return;
        }
        Path file = Path.of(into);
        String doc = Files.readString(file, StandardCharsets.UTF_8);
        int b = doc.indexOf(BEGIN);
        int e = doc.indexOf(END);
        if (b < 0 || e < b) {
            throw new IOException(file + " has no " + BEGIN + " ... " + END + " markers to put the figures between");
        }
        int after = e + END.length();
        if (after < doc.length() && doc.charAt(after) == '\n') {
            after++;
        }
        Files.writeString(file, doc.substring(0, b) + section + doc.substring(after), StandardCharsets.UTF_8);
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String source() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? "commit " + out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
