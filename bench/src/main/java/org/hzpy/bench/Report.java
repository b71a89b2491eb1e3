package org.hzpy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/** Writes the results of one run as docs/benchmarks.md. */
final class Report {
    private Report() {
    }

    static void write(Path file, Machine machine, ZonedDateTime started, Duration took, String loadBefore,
                      String loadAfter, List<Result> results) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# hzpy benchmarks\n\n");
        md.append("Written by `./bench.sh` from one run on ")
                .append(started.truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(" (the run took ").append(took.toMinutes()).append(" min ")
                .append(took.toSecondsPart()).append(" s). Do not edit by hand: run `./bench.sh` again.\n\n");
        md.append("Every benchmark ran in a fresh JVM of its own, one after another (never two at once), with "
                + "the JVM flags of `hzpy.jvm.flags` in the top-level pom.xml. The machine is shared and noisy: "
                + "figures are medians over repeated samples, with p90 or the range where it matters. "
                + "Ratios are computed from the medians. Members are measured once their start-up work is over: "
                + "their contexts ready and warm, and, with pre-warm, json's training (which takes idle contexts, and "
                + "would otherwise share the cores with a benchmark that leaves a member idle) ended; P7 and P8 "
                + "measure start-up itself.\n\n");

        md.append("## Machine\n\n");
        md.append(new Table("", "")
                .row("date", started.truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .row("CPU", machine.cpu())
                .row("cores (nproc)", machine.cores())
                .row("memory", machine.memory())
                .row("OS", machine.os())
                .row("JDK", machine.jdk())
                .row("GraalPy engine", fact(results, "engine") + " (JIT active: " + fact(results, "jit") + ")")
                .row("GraalPy", fact(results, "graalpy"))
                .row("CPython (P4)", fact(results, "cpython"))
                .row("Python of hazelcast-jet-python (P5)", fact(results, "peer-python"))
                .row("load average before / after", loadBefore + " / " + loadAfter)
                .row("hzpy sources measured", machine.source())
                .toMarkdown());
        md.append("\nJVM flags: `").append(machine.jvmFlags()).append("`\n\n");

        md.append("## Goals\n\n");
        Table goals = new Table("benchmark", "goal", "measured", "goal met?",
                "cores used by other processes meanwhile");
        for (Result r : results) {
            for (Result.Goal g : r.goals()) {
                goals.row(g.benchmark(), g.goal(), g.measured(), g.verdict(),
                        r.facts().getOrDefault("others." + r.id, "n/a"));
            }
        }
        md.append(goals.toMarkdown());

        for (Result r : results) {
            md.append("\n## ").append(r.id).append(" — ").append(r.title).append("\n\n").append(r.body());
        }
        md.append("\n## Running it\n\n");
        md.append("`./bench.sh` builds the project (`mvn -pl bench -am install -DskipTests`) and runs "
                + "`org.hzpy.bench.BenchMain` through `mvn -pl bench exec:exec`, which rewrites this file; it takes "
                + "about 40–60 minutes on 2 cores (P4b and P13 start fresh JVMs per repetition). `./bench.sh P1 P4` runs only those benchmarks and writes "
                + "`bench/target/benchmarks-partial.md` instead, so this file always holds one complete run. "
                + "The code is in `bench/src/main/java/org/hzpy/bench/` (one class per benchmark); the Python "
                + "that P3 and P4 run is `bench/src/main/resources/org/hzpy/bench/bench_functions.py`, P5's handlers "
                + "are `p5_handlers.py` next to it, P13's job ships `p13/pricing.py` and `p13/rates.py`. P4b and P13 "
                + "compare more configurations in one run with `HZPY_BENCH_VARIANTS='label=JVM flags;label=…'` "
                + "(e.g. `-Dpolyglot.engine.CompilerThreads=2` or `-Dhzpy.warmup-modules=none`) and "
                + "`HZPY_BENCH_REPS=N`. P5's peer needs Debian's python3-grpcio, python3-protobuf and "
                + "python3-venv, which `./bench.sh` installs when it runs as root or with passwordless sudo (else it "
                + "says what is missing and P5 reports the peer as not measured). Keep the machine otherwise idle while it runs: the *cores used by other processes* column shows how "
                + "far that held.\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
    }

    private static String fact(List<Result> results, String key) {
        return results.stream().map(r -> r.facts().get(key)).filter(Objects::nonNull).findFirst().orElse("n/a");
    }
}
