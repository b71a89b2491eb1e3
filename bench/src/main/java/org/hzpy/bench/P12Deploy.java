package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * P12: cluster-wide deployment. (a) Three members in this JVM: a deploy of a new version, then the
 * first call of it on each member, timed from before the deploy until the third member answered
 * with the new version (median over 10 deploys). (b) One member: a warm call into a deployed module
 * against the same module on {@code hzpy.module-path}, interleaved samples.
 */
final class P12Deploy implements Benchmark {
    private static final int MEMBERS = 3;
    private static final int DEPLOYS = 10;
    private static final String IDENTITY = "def identity(x):\n    return x\n";
    private static final int CALLS_PER_SAMPLE = 100_000;
    private static final int SAMPLES = 30;
    private static final Duration WARM_UP = Duration.ofSeconds(8);
    private static final double COST_GOAL = 1.05;
    private static final double SWITCH_GOAL_MS = 1000;

    private long sink;

    @Override
    public String id() {
        return "P12";
    }

    @Override
    public String title() {
        return "Cluster-wide deployment: deploy to first call everywhere, and the cost of a call into deployed code";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(8);
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        double[] switchMs = new double[DEPLOYS];
        double[] deployMs = new double[DEPLOYS];
        var join = Members.oneCluster("hzpy-bench-p12", MEMBERS);
        List<HazelcastInstance> members = new ArrayList<>();
        try {
            for (int i = 0; i < MEMBERS; i++) {
                members.add(Members.start(Map.of("hzpy.contexts", "1", "hzpy.prewarm", "false"), join));
            }
            List<Py> pys = new ArrayList<>();
            for (HazelcastInstance m : members) {
                pys.add(Members.ready(m, 1));
            }
            Members.recordEngine(result, pys.get(0));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (members.get(0).getCluster().getMembers().size() < MEMBERS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the " + MEMBERS + " members did not form a cluster");
                }
                Thread.sleep(100);
            }
            Py deployer = pys.get(0);
            deployer.modules().deploy("p12mod", version(0)); // the first deploy and import of each member: not measured
            for (Py p : pys) {
                check(p.call("p12mod", "v"), 0);
            }
            for (int i = 1; i <= DEPLOYS; i++) {
                long t0 = System.nanoTime();
                deployer.modules().deploy("p12mod", version(i));
                long deployed = System.nanoTime();
                for (Py p : pys) {
                    check(p.call("p12mod", "v"), i);
                }
                long seen = System.nanoTime();
                deployMs[i - 1] = (deployed - t0) / 1e6;
                switchMs[i - 1] = (seen - t0) / 1e6;
            }
        } finally {
            members.forEach(HazelcastInstance::shutdown);
        }

        Path modulePath = Files.createTempDirectory("hzpy-p12-");
        Files.writeString(modulePath.resolve("onpath.py"), IDENTITY);
        HazelcastInstance member = Members.start(Map.of("hzpy.contexts", "1", "hzpy.prewarm", "false",
                "hzpy.module-path", modulePath.toString()));
        double[] pathNs = new double[SAMPLES];
        double[] deployedNs = new double[SAMPLES];
        try {
            Py py = Members.ready(member, 1);
            py.modules().deploy("deployed", Map.of("deployed.py", IDENTITY));
            LongSupplier onPath = () -> batch(py, "onpath");
            LongSupplier deployed = () -> batch(py, "deployed");
            warmUp(onPath);
            warmUp(deployed);
            for (int i = 0; i < SAMPLES; i++) { // interleaved, so drifts in machine load hit both alike
                pathNs[i] = onPath.getAsLong() / (double) CALLS_PER_SAMPLE;
                deployedNs[i] = deployed.getAsLong() / (double) CALLS_PER_SAMPLE;
            }
        } finally {
            member.shutdown();
            Files.deleteIfExists(modulePath.resolve("onpath.py"));
            Files.deleteIfExists(modulePath);
        }

        double ratio = Stats.median(deployedNs) / Stats.median(pathNs);
        result.add(String.format("(a) %d members in this JVM, 1 context each, no pre-warm. Member 1 deploys a one-module"
                + " package (`py.modules().deploy`, member code) %d times; each time the clock runs from before `deploy` until"
                + " `p12mod.v()` returned the new version on all %d members (called one after another). (b) One member,"
                + " `identity(1)` in `deployed.py` (deployed) and in `onpath.py` (on `hzpy.module-path`), the same source;"
                + " %d samples of %,d calls each, interleaved, after %d s of warm-up each.", MEMBERS, DEPLOYS, MEMBERS,
                SAMPLES, CALLS_PER_SAMPLE, WARM_UP.toSeconds()));
        result.add(new Table("measure", "median", "min", "max")
                .row("deploy → new version answered on all 3 members (ms)", Stats.fmt(Stats.median(switchMs)),
                        Stats.fmt(Stats.min(switchMs)), Stats.fmt(Stats.max(switchMs)))
                .row("of which `deploy()` itself (ms)", Stats.fmt(Stats.median(deployMs)), Stats.fmt(Stats.min(deployMs)),
                        Stats.fmt(Stats.max(deployMs)))
                .row("call into the deployed module (ns)", Stats.fmt(Stats.median(deployedNs)), Stats.fmt(Stats.min(deployedNs)),
                        Stats.fmt(Stats.max(deployedNs)))
                .row("call into the module-path module (ns)", Stats.fmt(Stats.median(pathNs)), Stats.fmt(Stats.min(pathNs)),
                        Stats.fmt(Stats.max(pathNs)))
                .toMarkdown());
        result.goal("deploy → first call of the new version on every member of 3 ≤ 1 s (median of 10; the issue's \"within a second\")",
                Stats.fmt(Stats.median(switchMs)) + " ms", Stats.median(switchMs) <= SWITCH_GOAL_MS);
        result.goal("a call into a deployed module ≤ 1.05× the same module on hzpy.module-path", Stats.times(ratio),
                ratio <= COST_GOAL);
        if (sink != (long) CALLS_PER_SAMPLE * SAMPLES * 2 + warmedCalls) {
            throw new IllegalStateException("identity(1) returned something else than 1");
        }
        return result;
    }

    private long warmedCalls;

    private void warmUp(LongSupplier batch) {
        long end = System.nanoTime() + WARM_UP.toNanos();
        while (System.nanoTime() < end) {
            batch.getAsLong();
            warmedCalls += CALLS_PER_SAMPLE;
        }
    }

    private long batch(Py py, String module) {
        long sum = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS_PER_SAMPLE; i++) {
            sum += (Long) py.call(module, "identity", 1);
        }
        long elapsed = System.nanoTime() - t0;
        sink += sum;
        return elapsed;
    }

    private static Map<String, String> version(int i) {
        return Map.of("p12mod.py", "V = " + i + "\n\ndef v():\n    return V\n");
    }

    private static void check(Object answer, int expected) {
        if (!(answer instanceof Long v) || v != expected) {
            throw new IllegalStateException("p12mod.v() answered " + answer + ", not version " + expected);
        }
    }
}
