package org.hzpy.member;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemYamlConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyTimeoutException;
import org.hzpy.PythonException;
import org.hzpy.metrics.HzpyMetrics;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.FileNotFoundException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

/**
 * A member that loads hzpy from {@code hazelcast.yaml} (the first argument that is not a flag, or
 * ./hazelcast.yaml). With {@code --demo} it runs a few Python calls, prints them and stops;
 * otherwise it serves until it is stopped.
 */
public final class DemoMember {
    /** Held so the level sticks: java.util.logging keeps loggers weakly. */
    private static final java.util.logging.Logger HAZELCAST_LOG = java.util.logging.Logger.getLogger("com.hazelcast");

    private DemoMember() {
    }

    public static void main(String[] args) throws FileNotFoundException {
        boolean demo = false;
        long serveSeconds = 0;
        String yaml = "hazelcast.yaml";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--demo")) {
                demo = true;
            } else if (args[i].equals("--serve-for") && i + 1 < args.length) {
                serveSeconds = Long.parseLong(args[++i]);
            } else {
                yaml = args[i];
            }
        }
        if (demo) {
            HAZELCAST_LOG.setLevel(java.util.logging.Level.WARNING); // the demo's own lines, not the member's chatter
        }
        Config config = new FileSystemYamlConfig(yaml);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        registerDemoFunctions(Py.on(member));
        if (!demo) {
            Py.on(member).awaitReady(1, Duration.ofMinutes(3));
            System.out.println("hzpy member " + member.getCluster().getLocalMember().getAddress() + " running with "
                    + yaml + (serveSeconds > 0 ? " for at most " + serveSeconds + " s" : "") + "; stop it with Ctrl-C");
            if (serveSeconds > 0) { // a bound for members started by scripts: they never outlive it
                long serveMillis = serveSeconds * 1000;
                Thread stopper = new Thread(() -> {
                    try {
                        Thread.sleep(serveMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                    member.shutdown();
                }, "demo-member-stopper");
                stopper.setDaemon(true);
                stopper.start();
            }
            return;
        }
        try {
            runDemo(Py.on(member));
        } finally {
            member.shutdown();
        }
    }

    /**
     * The Java functions the demo's Python calls back (hzpy.call): Fibonacci memoized in the IMap,
     * which calls Python again for what it does not know, and an exchange rate.
     */
    static void registerDemoFunctions(Py py) {
        py.registerFunction("fib_memo", args -> {
            String key = "demo:fib:" + args.get(0);
            java.util.Optional<Object> known = py.state().fetch(key);
            if (known.isPresent()) {
                return known.get();
            }
            Object value = args.call("demo", "fib_py", args.get(0)); // back into Python, nested
            py.state().store(key, value);
            return value;
        });
        py.registerFunction("rate", args -> switch (String.valueOf(args.get(0))) {
            case "EUR" -> 0.92;
            case "GBP" -> 0.79;
            default -> 1.0;
        });
        // an asynchronous Java function: Python awaits it (await hzpy.call_async) without holding a thread
        py.registerFunction("quote", args -> java.util.concurrent.CompletableFuture.supplyAsync(
                () -> 100 + Math.floorMod(String.valueOf(args.get(0)).hashCode(), 900) / 10.0,
                java.util.concurrent.CompletableFuture.delayedExecutor(200, java.util.concurrent.TimeUnit.MILLISECONDS)));
    }

    private static void runDemo(Py py) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        Object first = py.call("math", "sqrt", 16);
        long firstMs = System.currentTimeMillis() - jvmStart;

        line("engine", py.engineImplementation() + (py.jitActive() ? " (Graal JIT active)" : " (NO JIT: interpreter only)"));
        line("execution mode", py.executionMode() + ", " + py.contexts().numContexts() + " contexts, "
                + py.numExecutors() + " executors, max " + py.semaphore().maxConcurrent() + " concurrent calls");
        line("math.sqrt(16)", first + "   (JVM start to this first result: " + firstMs + " ms)");
        line("demo.greet('Hazelcast', '?')", py.call(PyCall.of("demo", "greet", "Hazelcast").kwargs(Map.of("punctuation", "?"))));
        line("demo.word_stats(...)", py.call("demo", "word_stats", "the cat and the hat and the bat"));
        line("eval 2 ** 100", py.eval("2 ** 100") + " (" + BigInteger.class.getSimpleName() + ", exact)");
        line("demo.roundtrip(...)", py.call("demo", "roundtrip", Map.of("name", "Zoë 🐍", "bytes?", "no", "n", 3)));

        py.exec("def double(x):\n    return x * 2");
        line("exec'd __main__.double(21)", py.call("__main__", "double", 21));

        long t0 = System.nanoTime();
        Object fib = py.call("demo", "fib", 25);
        line("demo.fib(25)", fib + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms (first call)");

        try {
            py.call("demo", "greet");
        } catch (PythonException e) {
            line("demo.greet() with no name", e.pythonType() + ": " + e.message());
        }
        try {
            py.call(PyCall.of("builtins", "exec", "while True: pass").timeout(Duration.ofMillis(500)));
        } catch (PyTimeoutException e) {
            line("an endless loop, 500 ms timeout", "interrupted: " + e.getMessage());
        }
        line("after the timeout", "context still usable: 6 * 7 = " + py.eval("6 * 7") + ", permits in use: "
                + py.semaphore().current());
        liveLoad(py);
        scrape(py);
    }

    /** Four threads call Python for 4 s while one line shows what the meters see, refreshed 4 times a second. */
    private static void liveLoad(Py py) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HzpyMetrics.of(py).bindTo(registry);
        long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        java.util.List<Thread> callers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    try {
                        py.call("demo", "word_stats", "the cat and the hat and the bat");
                    } catch (org.hzpy.OverloadedException e) {
                        Thread.onSpinWait(); // the limit is full: try again
                    }
                }
            }, "demo-caller-" + i);
            t.start();
            callers.add(t);
        }
        double before = calls(registry);
        long t0 = System.nanoTime();
        String status = "";
        while (System.nanoTime() < end) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            double now = calls(registry);
            long t1 = System.nanoTime();
            status = String.format("%,8.0f calls/s | contexts busy %.0f of %d | permits in use %.0f of %.0f",
                    (now - before) * 1e9 / (t1 - t0), registry.get("hzpy.contexts").tag("state", "busy").gauge().value(),
                    py.contexts().numContexts(), registry.get("hzpy.permits.in.use").tag("scope", "member").gauge().value(),
                    registry.get("hzpy.permits.max").tag("scope", "member").gauge().value());
            System.out.print("\r  " + String.format("%-34s ", "live, from the meters") + status);
            before = now;
            t0 = t1;
        }
        for (Thread t : callers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        System.out.println();
    }

    private static double calls(SimpleMeterRegistry registry) {
        return registry.find("hzpy.calls").functionTimers().stream().mapToDouble(FunctionTimer::count).sum();
    }

    /** The member's Prometheus endpoint, as curl would see it. */
    private static void scrape(Py py) {
        py.prometheusEndpoint().ifPresentOrElse(uri -> {
            try {
                String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                line("curl " + uri, body.lines().count() + " lines; among them:");
                body.lines().filter(l -> l.startsWith("hzpy_calls_seconds_count{kind=\"call\",origin=\"member\",outcome=\"ok\"}")
                        || l.startsWith("hzpy_contexts{") || l.startsWith("hzpy_jit_active"))
                        .forEach(l -> System.out.println("        | " + l));
            } catch (java.io.IOException | InterruptedException e) {
                line("curl " + uri, "failed: " + e);
            }
        }, () -> line("metrics endpoint", "off (hzpy.metrics.prometheus-port)"));
    }

    private static void line(String what, Object value) {
        System.out.printf("  %-34s %s%n", what, value);
    }
}
