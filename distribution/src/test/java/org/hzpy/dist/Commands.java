package org.hzpy.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the distribution's commands as a user would, each with a bound. Not thread-safe. */
final class Commands {
    /** One command's exit status and what it printed (stdout and stderr together). */
    record Outcome(int status, String output) {
    }

    private Commands() {
    }

    /** Runs {@code command} in {@code dir} with {@code env} added; kills it (and says so) past {@code limit}. */
    static Outcome run(Path dir, Map<String, String> env, Duration limit, String... command) {
        try {
            Path out = Files.createTempFile("hzpy-dist-command-", ".txt");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish within " + limit + ":\n"
                            + Files.readString(out, StandardCharsets.UTF_8));
                }
                String output = Files.readString(out, StandardCharsets.UTF_8);
                System.out.println("$ " + String.join(" ", command) + "   (exit " + process.exitValue() + ")\n" + output);
                return new Outcome(process.exitValue(), output);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A fresh, empty directory under target/ (left there afterwards, for a look). */
    static Path freshDirectory(String name) {
        Path dir = Path.of("target", name).toAbsolutePath();
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Unpacks the built tarball into {@code dir}, as the README says; returns the install directory. */
    static Path unpackTheTarball(Path dir) {
        Outcome untar = run(dir, Map.of(), Duration.ofMinutes(2), "tar", "xzf", System.getProperty("hzpy.dist.tarball"));
        if (untar.status() != 0) {
            throw new AssertionError("tar failed: " + untar.output());
        }
        return dir.resolve(System.getProperty("hzpy.dist.name"));
    }

    /** The pids in the install's run/member-*.pid files. */
    static List<Long> memberPids(Path home) {
        try (Stream<Path> files = Files.list(home.resolve("run"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pid")).map(f -> {
                try {
                    return Long.parseLong(Files.readString(f).trim());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
