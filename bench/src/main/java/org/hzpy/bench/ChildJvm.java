package org.hzpy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts a fresh JVM like this one: the same java, the same JVM flags (Graal JIT, Hazelcast's
 * flags, the ForkJoinPool fix: whatever bench/pom.xml gave this JVM) and the same class path.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    static List<String> command(Class<?> main, String... args) {
        return command(List.of(), main, args);
    }

    /** The command, with {@code extraFlags} after this JVM's flags (so they win). */
    static List<String> command(List<String> extraFlags, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(extraFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs {@code main} in a new JVM that shares this one's console and waits for it.
     *
     * @return the exit code
     * @throws IOException if it cannot start or runs longer than {@code timeout} (it is then killed)
     */
    static int run(Duration timeout, Class<?> main, String... args) throws IOException, InterruptedException {
        return run(timeout, List.of(), main, args);
    }

    static int run(Duration timeout, List<String> extraFlags, Class<?> main, String... args)
            throws IOException, InterruptedException {
        return run(timeout, extraFlags, Map.of(), main, args);
    }

    /** Like {@link #run(Duration, List, Class, String...)}, with these environment variables set or replaced. */
    static int run(Duration timeout, List<String> extraFlags, Map<String, String> environment, Class<?> main,
                   String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command(extraFlags, main, args)).inheritIO();
        builder.environment().putAll(environment);
        return await(builder.start(), timeout, main.getSimpleName());
    }

    static int await(Process p, Duration timeout, String what) throws IOException, InterruptedException {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IOException(what + " did not finish within " + timeout.toSeconds() + " s and was stopped");
        }
        return p.exitValue();
    }
}
