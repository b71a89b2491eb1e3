package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * The fresh JVM of one P8 measurement: starts a member with the plugin (default hzpy settings,
 * or only {@code hzpy.prewarm} set) and calls {@code math.sqrt(16)} at once. Records, in ms since
 * the parent spawned this process: JVM start, main() entered, member up, first context ready,
 * first result. Usage: {@code StartUpProbe RESULT_FILE PREWARM SPAWN_EPOCH_MILLIS}, PREWARM being
 * "default", "true" or "false".
 */
public final class StartUpProbe {
    private StartUpProbe() {
    }

    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis();
        Logs.quiet();
        long spawnedAt = Long.parseLong(args[2]);
        HazelcastInstance member = Members.start(args[1].equals("default") ? Map.of()
                : Map.of("hzpy.prewarm", args[1]));
        long memberUpAt = System.currentTimeMillis();
        Py py = Py.on(member);
        long[] readyAt = {-1};
        Thread watcher = new Thread(() -> { // sees the first context become ready while main() waits in call()
            if (py.awaitReady(1, Duration.ofMinutes(2))) {
                readyAt[0] = System.currentTimeMillis();
            }
        }, "p8-ready-watcher");
        watcher.start();
        Object root = py.call("math", "sqrt", 16);
        long resultAt = System.currentTimeMillis();
        watcher.join();
        if (!Double.valueOf(4.0).equals(root)) {
            throw new IllegalStateException("math.sqrt(16) returned " + root);
        }
        Properties out = new Properties();
        out.setProperty("jvmStart", String.valueOf(ManagementFactory.getRuntimeMXBean().getStartTime() - spawnedAt));
        out.setProperty("main", String.valueOf(mainAt - spawnedAt));
        out.setProperty("memberUp", String.valueOf(memberUpAt - spawnedAt));
        out.setProperty("contextReady", String.valueOf(readyAt[0] < 0 ? -1 : readyAt[0] - spawnedAt));
        out.setProperty("firstResult", String.valueOf(resultAt - spawnedAt));
        out.setProperty("engine", py.engineImplementation());
        try (Writer w = Files.newBufferedWriter(Path.of(args[0]), StandardCharsets.UTF_8)) {
            out.store(w, null);
        }
        // Measured; stop at once. A clean shutdown would cancel the second context while it is still
        // starting (hzpy then logs it as an error) and only adds seconds to every run.
        System.out.flush();
        if (Boolean.getBoolean("hzpy.p8.training")) {
            System.exit(0); // an AOT training run writes its cache at a normal exit
        }
        Runtime.getRuntime().halt(0);
    }
}
