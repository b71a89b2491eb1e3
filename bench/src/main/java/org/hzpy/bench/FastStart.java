package org.hzpy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * P8's fast start: {@code scripts/fast-start.sh} builds a JDK image, a module path and an AOT cache
 * trained by one run of {@link StartUpProbe}; {@link #command} starts a JVM that way, with this
 * JVM's other flags.
 */
final class FastStart {
    private static final String UPGRADE_MODULE_PATH = "--upgrade-module-path=";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

    private final Path dir;
    private final List<String> flags;
    private final double buildSeconds;
    private final long bytes;

    private FastStart(Path dir, List<String> flags, double buildSeconds, long bytes) {
        this.dir = dir;
        this.flags = flags;
        this.buildSeconds = buildSeconds;
        this.bytes = bytes;
    }

    /** Builds it afresh under bench/target/fast-start (about half a minute). */
    static FastStart build() throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("user.dir"));
        Path dir = root.resolve("bench/target/fast-start");
        List<String> flags = new ArrayList<>();
        String jvmci = null;
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith(UPGRADE_MODULE_PATH)) {
                jvmci = arg.substring(UPGRADE_MODULE_PATH.length());
            } else if (!arg.equals("-XX:+UnlockExperimentalVMOptions") && !arg.equals("-XX:+EnableJVMCI")
                    && !arg.startsWith("--enable-native-access=")) { // these come from the script's jvm.args
                flags.add(arg);
            }
        }
        if (jvmci == null) {
            throw new IllegalStateException("this JVM has no " + UPGRADE_MODULE_PATH + " to take the Graal compiler from");
        }
        Files.createDirectories(dir);
        Path classPath = dir.resolve("classpath.txt");
        Files.writeString(classPath, System.getProperty("java.class.path"), StandardCharsets.UTF_8);
        Path trainingResult = Files.createTempFile("hzpy-bench-p8-training-", ".properties");
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("scripts/fast-start.sh").toString(),
                dir.toString(), classPath.toString(), jvmci, StartUpProbe.class.getName(), trainingResult.toString(),
                "default", String.valueOf(System.currentTimeMillis())));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("EXTRA_FLAGS", String.join(" ", flags) + " -Dhzpy.p8.training=true");
        long t0 = System.nanoTime();
        int code = ChildJvm.await(builder.start(), BUILD_TIMEOUT, "scripts/fast-start.sh");
        double seconds = (System.nanoTime() - t0) / 1e9;
        Files.deleteIfExists(trainingResult);
        if (code != 0) {
            throw new IOException("scripts/fast-start.sh exited with " + code);
        }
        long bytes;
        try (Stream<Path> files = Files.walk(dir)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.printf("P8: fast start built in %.1f s, %d MB%n", seconds, bytes >> 20);
        return new FastStart(dir, flags, seconds, bytes);
    }

    /** The command that starts {@code main} the fast way. */
    List<String> command(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(dir.resolve("jdk/bin/java").toString());
        cmd.add("@" + dir.resolve("jvm.args"));
        cmd.addAll(flags);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** How long the build (with its training run) took and what it holds, as a sentence. */
    String describe() {
        return String.format("Building it (`jlink`, copying the jars, the training run) took %.0f s here and "
                + "%d MB of disk.", buildSeconds, bytes >> 20);
    }
}
