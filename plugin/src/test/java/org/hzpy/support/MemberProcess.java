package org.hzpy.support;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own on this machine (loopback only, like every test member), started with the test
 * JVM's flags and class path, for tests that kill a member. It is always ended: by {@link #kill()}
 * (SIGKILL), by {@link #close()}, when its time is up, or when the test JVM exits.
 */
public final class MemberProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private MemberProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "member-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass} with {@code args} in a new JVM that lives at most {@code lifetimeSeconds}. */
    public static MemberProcess start(long lifetimeSeconds, Class<?> mainClass, String... args) throws IOException {
        return start(lifetimeSeconds, System.getProperty("java.class.path"), mainClass, args);
    }

    /** Like {@link #start(long, Class, String...)}, with this class path. */
    public static MemberProcess start(long lifetimeSeconds, String classPath, Class<?> mainClass, String... args)
            throws IOException {
        return start(lifetimeSeconds, classPath, List.of(), mainClass, args);
    }

    /** Like {@link #start(long, String, Class, String...)}, with JVM options after the test JVM's own (e.g. {@code -Xmx768m}). */
    public static MemberProcess start(long lifetimeSeconds, String classPath, List<String> jvmOptions, Class<?> mainClass,
            String... args) throws IOException {
        return start(lifetimeSeconds, classPath, arg -> true, jvmOptions, mainClass, args);
    }

    /** Like {@link #start(long, String, List, Class, String...)}, with only those of the test JVM's options that {@code inherit} accepts. */
    public static MemberProcess start(long lifetimeSeconds, String classPath, java.util.function.Predicate<String> inherit,
            List<String> jvmOptions, Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-javaagent") && !arg.startsWith("-agentlib") && inherit.test(arg)) {
                command.add(arg);
            }
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        MemberProcess p = new MemberProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        Runtime.getRuntime().addShutdownHook(new Thread(p.process::destroyForcibly));
        Thread limit = new Thread(() -> {
            try {
                if (!p.process.waitFor(lifetimeSeconds, TimeUnit.SECONDS)) {
                    p.process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.process.destroyForcibly();
            }
        }, "member-process-lifetime");
        limit.setDaemon(true);
        limit.start();
        return p;
    }

    /** Waits (at most {@code seconds}) for a line of output starting with {@code prefix}. */
    public String awaitLine(String prefix, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (String line : lines) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            if (!process.isAlive() && lines.stream().noneMatch(l -> l.startsWith(prefix))) {
                throw new AssertionError("the member process ended without printing '" + prefix + "':\n" + String.join("\n", lines));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the member process did not print '" + prefix + "' within " + seconds + " s:\n"
                + String.join("\n", lines));
    }

    /** The operating system's id of the process. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The output so far, one string. */
    public String output() {
        return String.join("\n", lines);
    }

    /** Writes the output so far to {@code file} (for a test's report: what the member logged). */
    public void saveOutput(java.nio.file.Path file) throws IOException {
        java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
        java.nio.file.Files.write(file, lines, StandardCharsets.UTF_8);
    }

    /**
     * SIGSTOP, then SIGCONT {@code millis} later: the process freezes (every thread; its sockets stay
     * open). A shell of its own sends both signals, so that the process is resumed — and can then see
     * its parent gone — even if this JVM dies meanwhile. Returns once it is resumed.
     */
    public void pauseFor(long millis) throws IOException, InterruptedException {
        String pid = Long.toString(process.pid());
        Process shell = new ProcessBuilder("sh", "-c", "kill -STOP " + pid + " && sleep "
                + String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0) + "; kill -CONT " + pid)
                .redirectErrorStream(true).start();
        if (!shell.waitFor(millis + 30_000, TimeUnit.MILLISECONDS)) {
            throw new IOException("kill -STOP / -CONT " + pid + " did not end");
        }
        if (shell.exitValue() != 0) {
            throw new IOException("kill -STOP / -CONT " + pid + " failed: "
                    + new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** SIGKILL: the member gets no chance to leave the cluster or give anything back. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
