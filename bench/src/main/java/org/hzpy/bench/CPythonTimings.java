package org.hzpy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CPython side of P4: runs cpython_runner.py with {@code python3} from PATH on the same
 * bench_functions.py and reads the per-call times it prints.
 */
final class CPythonTimings {
    private static final Pattern VERSION = Pattern.compile("\"python\": \"([^\"]*)\"");
    private static final Pattern CASE = Pattern.compile(
            "\"(\\w+)\": \\{\"first_ms\": ([-+0-9.eE]+), \"samples_ms\": \\[([^\\]]*)\\]\\}");

    final String version;
    /** Per function name: the duration of each sampled call in ms. */
    final Map<String, double[]> samplesMs;
    /** Per function name: its first call in this fresh interpreter, in ms (P4b). */
    final Map<String, Double> firstMs;

    private CPythonTimings(String version, Map<String, double[]> samplesMs, Map<String, Double> firstMs) {
        this.version = version;
        this.samplesMs = samplesMs;
        this.firstMs = firstMs;
    }

    /** Runs the functions in CPython; throws if python3 is missing or fails. */
    static CPythonTimings run(int warmUpCalls, int samples) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("hzpy-bench-cpython");
        try {
            Path functions = Resources.copyTo(dir, Resources.FUNCTIONS);
            Path runner = Resources.copyTo(dir, Resources.CPYTHON_RUNNER);
            Path stdout = dir.resolve("out.json");
            Process p = new ProcessBuilder("python3", runner.toString(), functions.toString(),
                    String.valueOf(warmUpCalls), String.valueOf(samples))
                    .redirectOutput(stdout.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            int code = ChildJvm.await(p, Duration.ofMinutes(3), "python3 " + Resources.CPYTHON_RUNNER);
            String json = Files.readString(stdout, StandardCharsets.UTF_8);
            if (code != 0) {
                throw new IOException("python3 " + Resources.CPYTHON_RUNNER + " exited with code " + code);
            }
            return parse(json);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    static CPythonTimings parse(String json) throws IOException {
        Matcher v = VERSION.matcher(json);
        if (!v.find()) {
            throw new IOException("unexpected output of " + Resources.CPYTHON_RUNNER + ": " + json);
        }
        Map<String, double[]> samples = new LinkedHashMap<>();
        Map<String, Double> first = new LinkedHashMap<>();
        Matcher c = CASE.matcher(json);
        while (c.find()) {
            first.put(c.group(1), Double.parseDouble(c.group(2)));
            samples.put(c.group(1), Arrays.stream(c.group(3).split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).mapToDouble(Double::parseDouble).toArray());
        }
        return new CPythonTimings(v.group(1), samples, first);
    }
}
