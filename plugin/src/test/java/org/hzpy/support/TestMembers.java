package org.hzpy.support;

import com.hazelcast.config.Config;
import com.hazelcast.config.YamlConfigBuilder;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real embedded members, started once per test JVM and shared by every test class: a member's
 * first Python context costs seconds, so starting one per class would dominate the suite.
 */
public final class TestMembers {
    private static final Map<String, HazelcastInstance> MEMBERS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> MEMBERS.values().forEach(HazelcastInstance::shutdown)));
    }

    private TestMembers() {
    }

    /** The ISOLATED member: 2 contexts, max-concurrent 16, module path with testmod.py. */
    public static HazelcastInstance isolated() {
        return shared("isolated");
    }

    /** The SHARED member: one context, 4 executors. */
    public static HazelcastInstance sharedMode() {
        return shared("shared");
    }

    /**
     * The hardening member: ISOLATED, 2 contexts, no pre-warm. For tests that use exec or replace
     * contexts, so the other shared members keep a short exec log and their contexts.
     */
    public static HazelcastInstance hardening() {
        return shared("hardening");
    }

    /**
     * The runaway member: ISOLATED, 2 contexts, {@code hzpy.abandon-after: 1s}. Runaway code may
     * leave its contexts replaced and a thread busy for a while.
     */
    public static HazelcastInstance runaway() {
        return shared("runaway");
    }

    /** A member of the test's own from {@code members/NAME.yaml}; the test shuts it down. */
    public static HazelcastInstance startOwn(String name) {
        return Hazelcast.newHazelcastInstance(config("members/" + name + ".yaml"));
    }

    public static Py py(HazelcastInstance member) {
        Py py = Py.on(member);
        if (!py.awaitReady(Integer.MAX_VALUE, Duration.ofMinutes(3))) { // started and warmed up
            throw new IllegalStateException("the Python contexts of " + member.getName() + " did not start");
        }
        return py;
    }

    /** Runs {@code call} with the current thread bound to context {@code index} of {@code py}. */
    public static <T> T inContext(Py py, int index, java.util.function.Supplier<T> call) {
        py.contexts().bind(py.contexts().context(index));
        try {
            return call.get();
        } finally {
            py.contexts().unbind();
        }
    }

    /** hzpy on every shared member started so far. */
    public static java.util.List<Py> started() {
        return MEMBERS.values().stream().filter(m -> m.getLifecycleService().isRunning()).map(Py::on)
                .collect(java.util.stream.Collectors.toList());
    }

    private static HazelcastInstance shared(String name) {
        return MEMBERS.computeIfAbsent(name, n -> Hazelcast.newHazelcastInstance(config("members/" + n + ".yaml")));
    }

    /** A member configuration from a YAML file under src/test/resources. */
    public static Config config(String resource) {
        try (InputStream in = TestMembers.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return new YamlConfigBuilder(in).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
