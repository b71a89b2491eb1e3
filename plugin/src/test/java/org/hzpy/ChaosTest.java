package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import org.hzpy.support.Await;
import org.hzpy.support.ChaosCluster;
import org.hzpy.support.ChaosJetJob;
import org.hzpy.support.ChaosLoad;
import org.hzpy.support.ChaosProbe;
import org.hzpy.support.ChaosReport;
import org.hzpy.support.Intervals;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The chaos suite: three member JVMs of their own ({@code members/chaos.yaml}: SHARED, one context,
 * 4 executors each, cluster limit 5) and a client in this JVM under steady load — keyed state
 * increments, calls with and without keys, execs that define functions, a Jet job with a Python
 * stage. In each round a member is SIGKILLed (in odd rounds the one that owns the cluster limit's
 * entry), another is SIGSTOPped for 3 s, and a replacement joins; then the load pauses and every
 * promise is checked: no acknowledged increment lost (and none applied twice), the cluster limit
 * never exceeded by calls running in Python, permits back to 0 within 10 s of quiet, every
 * exec-defined function on every member, calls to every member succeed, every failure typed and
 * naming the lost member, the Jet job alive and moving.
 *
 * {@code hzpy.chaos.rounds} (default 2, the CI run) sets the rounds, {@code hzpy.chaos.seed} the
 * choice of members; {@code ./bench.sh chaos N} runs N rounds and writes the figures into
 * docs/reliability.md. Every broken promise of every round is collected, reported and fails the test.
 */
class ChaosTest {
    private static final int ROUNDS = Integer.getInteger("hzpy.chaos.rounds", 2);
    private static final int CLUSTER_LIMIT = 5;
    /** The key of the cluster limit's one entry (IMap hzpy.cluster-limit). */
    private static final String LIMIT_KEY = "limit";
    private static final Duration QUIET_BOUND = Duration.ofSeconds(10);
    private static final int MEMBER_START_SECONDS = 240;
    private static final int STOP_MILLIS = 3_000;
    /** Of each kind of broken promise, a round reports this many examples (and counts the rest). */
    private static final int EXAMPLES = 3;

    private final Map<String, Object> totals = Collections.synchronizedMap(new LinkedHashMap<>());
    private final ChaosReport report = new ChaosReport();
    private final List<Long> quietMillis = new ArrayList<>();
    /** The first failure of each type, for the report. */
    private final Map<String, String> examples = Collections.synchronizedMap(new TreeMap<>());
    private int maxOverlap;
    private int kills;
    private int limitOwnerKills;
    private int stops;

    @Test
    void threeMembersUnderLoad_keepEveryPromise_throughKillsStopsAndReplacements() throws Exception {
        Duration bound = Duration.ofSeconds(MEMBER_START_SECONDS + 180L * ROUNDS);
        try (ChaosCluster cluster = new ChaosCluster(bound.toSeconds() + 60)) {
            try {
                assertTimeoutPreemptively(bound, () -> run(cluster), "the chaos suite's bound (" + ROUNDS + " rounds)");
            } finally {
                report.write(totals);
            }
        }
        assertThat(report.violations()).as("promises broken (figures in target/chaos.md)").isEmpty();
    }

    private void run(ChaosCluster cluster) throws Exception {
        // Given three members, a client, the Jet job and the load
        long seed = Long.getLong("hzpy.chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.println("chaos: seed " + seed + ", " + ROUNDS + " rounds");
        report.phase("starting 3 members");
        cluster.start(3, MEMBER_START_SECONDS);
        report.phase("3 members ready");
        HazelcastInstance client = cluster.client();
        Await.until(Duration.ofSeconds(60), "the client sees 3 members", () -> cluster.inClientView().size() == 3);
        Py py = Py.on(client);
        ChaosJetJob.setLoad(client, false);
        Job job = ChaosJetJob.submit(client);
        try (ChaosLoad load = new ChaosLoad(py); AutoCloseable timeline = timeline(cluster, client, load)) {
            for (int round = 1; round <= ROUNDS; round++) {
                // When a member is killed, another stopped for 3 s, and a replacement joins, under load
                int callsBefore = load.intervals().size(); // the load paused before: no call spans two rounds
                load.resume();
                ChaosJetJob.setLoad(client, true);
                if (!awaitProgress(load, client)) {
                    report.violation(round, "the load made no progress before the faults: " + progress(load, client));
                }
                report.phase("round " + round + ": load running");
                int limitOwner = cluster.ownerOf(LIMIT_KEY);
                List<Integer> alive = cluster.alive();
                int victim = round % 2 == 1 ? limitOwner : alive.get(random.nextInt(alive.size()));
                Map<Integer, Integer> keyOwners = new TreeMap<>(); // which member a lost increment's key was on
                for (int k = 0; k < ChaosLoad.KEYS; k++) {
                    keyOwners.put(k, cluster.ownerOf(load.key(k)));
                }
                long killedAtMillis = System.currentTimeMillis();
                cluster.kill(victim);
                report.phase("round " + round + ": killed :" + victim + (victim == limitOwner ? " (the limit entry's owner)" : ""));
                kills++;
                limitOwnerKills += victim == limitOwner ? 1 : 0;
                List<Integer> survivors = cluster.alive();
                int stopped = survivors.get(random.nextInt(survivors.size()));
                double stoppedAt = sinceMillis(killedAtMillis);
                cluster.process(stopped).pauseFor(STOP_MILLIS);
                stops++;
                report.phase("round " + round + ": stopped :" + stopped + " for 3 s");
                if (!awaitProgress(load, client)) {
                    report.violation(round, "the survivors served no load before the replacement: " + progress(load, client));
                }
                report.phase("round " + round + ": survivors serving; starting a replacement");
                long joining = System.nanoTime();
                int replacement = cluster.startReplacement(MEMBER_START_SECONDS);
                Await.until(Duration.ofSeconds(60), "the client sees :" + replacement + " and not :" + victim,
                        () -> cluster.inClientView().contains(replacement) && !cluster.inClientView().contains(victim));
                long joinedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - joining);
                double joinedAt = sinceMillis(killedAtMillis);
                report.phase("round " + round + ": replacement :" + replacement + " ready and in the client's view");
                awaitClusterSafe(cluster);
                report.phase("round " + round + ": cluster safe");
                if (!awaitProgress(load, client)) {
                    report.violation(round, "the load made no progress after the faults: " + progress(load, client));
                }

                // and then the load pauses
                if (!load.pause(Duration.ofSeconds(60))) {
                    report.violation(round, "an operation of the load did not end within 60 s (thread dumps: "
                            + dumpThreads(round, cluster) + ")");
                }
                ChaosJetJob.setLoad(client, false);
                report.phase("round " + round + ": load paused; checking");

                // Then every promise holds
                long toZero = checkPermitsComeBack(round, cluster, py);
                String increments = checkIncrements(round, load, py, keyOwners);
                int overlap = checkOverlap(round, load, callsBefore, killedAtMillis);
                checkExecDefinedFunctions(round, cluster, load, replacement);
                checkCallsToEveryMember(round, cluster, py);
                Map<String, Integer> failures = checkFailures(round, load, victim, stopped);
                checkJob(round, job);
                report.round(String.format(java.util.Locale.ROOT, "round %d: killed :%d%s; stopped :%d for %d s from %+.1f s;"
                                + " replacement :%d started, ready and in the client's view after %d s, at %+.1f s from the"
                                + " SIGKILL; permits 0 %s; increments %s; max overlap %d (limit %d); failures %s",
                        round, victim, victim == limitOwner ? " (owner of the cluster limit's entry)" : "", stopped,
                        STOP_MILLIS / 1000, stoppedAt, replacement, joinedMillis / 1000, joinedAt,
                        toZero < 0 ? "NOT within 10 s" : toZero + " ms after the load paused", increments, overlap,
                        CLUSTER_LIMIT, failures.isEmpty() ? "none" : failures));
                totals(load, client);
            }
        }
        job.cancel();
    }

    /**
     * Every second, until closed: the Jet items counted, the calls done, and what the cluster
     * limit's store and each member's own limit hold, into target/chaos-timeline.txt (to read when
     * a promise broke).
     */
    private AutoCloseable timeline(ChaosCluster cluster, HazelcastInstance client, ChaosLoad load) throws java.io.IOException {
        java.nio.file.Files.createDirectories(java.nio.file.Path.of("target"));
        java.io.PrintWriter out = new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(
                java.nio.file.Path.of("target", "chaos-timeline.txt")), true);
        long from = System.nanoTime();
        java.util.concurrent.ScheduledExecutorService every = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        // one question at a time per member: a slow member's probe executor gets no queue from the timeline
        Map<Integer, java.util.concurrent.Future<Map<String, Object>>> unanswered = new TreeMap<>();
        every.scheduleWithFixedDelay(() -> {
            StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "%7.1f s: jet %d, calls %d",
                    (System.nanoTime() - from) / 1e9, ChaosJetJob.counted(client), load.callsDone()));
            String records = null;
            for (int port : cluster.inClientView()) {
                java.util.concurrent.Future<Map<String, Object>> asked = unanswered.remove(port);
                try {
                    asked = asked != null ? asked : cluster.probeAsync(port, new ChaosProbe(List.of()));
                    Map<String, Object> p = asked.get(2, TimeUnit.SECONDS);
                    line.append(", :").append(port).append(" own ").append(p.get("localPermits"))
                            .append(" jet-refused ").append(p.get("jetRefused"));
                    records = records == null ? String.valueOf(p.get("limitRecords")) : records;
                } catch (java.util.concurrent.TimeoutException e) {
                    unanswered.put(port, asked);
                    line.append(", :").append(port).append(" no answer yet");
                } catch (Exception e) {
                    line.append(", :").append(port).append(" no answer (").append(e.getClass().getSimpleName()).append(')');
                }
            }
            out.println(line.append(" | limit: ").append(records));
        }, 1, 1, TimeUnit.SECONDS);
        return () -> {
            every.shutdownNow();
            every.awaitTermination(10, TimeUnit.SECONDS);
            out.close();
        };
    }

    private void totals(ChaosLoad load, HazelcastInstance client) {
        totals.put("rounds", kills);
        totals.put("SIGKILLs (of the cluster limit entry's owner)", kills + " (" + limitOwnerKills + ")");
        totals.put("SIGSTOPs of 3 s", stops);
        totals.put("replacements started", kills);
        totals.put("state increments acknowledged / applied / attempted", applied(load, client));
        totals.put("calls that ran / refused as overloaded", load.callsDone() + " / " + load.overloaded());
        totals.put("max calls running in Python at once vs cluster limit", maxOverlap + " vs " + CLUSTER_LIMIT);
        totals.put("time to permits 0 after the load paused (ms, each round)",
                quietMillis.stream().map(ms -> ms < 0 ? "over " + QUIET_BOUND.toMillis() : Long.toString(ms)).toList());
        totals.put("execs acknowledged / tried", load.defined().size() + " / " + load.execsTried());
        totals.put("Jet items through the Python stage (counted at least once)", ChaosJetJob.counted(client));
        totals.put("failures by type (overloads not counted)", load.failuresByType());
        totals.put("first failure of each type", examples);
        totals.put("promises broken", report.violations().size());
    }

    private static String applied(ChaosLoad load, HazelcastInstance client) {
        Py py = Py.on(client);
        long applied = 0;
        for (int k = 0; k < ChaosLoad.KEYS; k++) {
            applied += valueOf(py, load.key(k));
        }
        return load.acknowledgedTotal() + " / " + applied + " / " + load.attemptedTotal();
    }

    private static long valueOf(Py py, String key) {
        return py.state().fetch(key).map(v -> ((Number) v).longValue()).orElse(0L);
    }

    /** Waits (at most 90 s) until calls, increments and the Jet job have all moved on. */
    private static boolean awaitProgress(ChaosLoad load, HazelcastInstance client) throws InterruptedException {
        long calls = load.callsDone();
        long acks = load.acknowledgedTotal();
        long jet = ChaosJetJob.counted(client);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (load.callsDone() >= calls + 20 && load.acknowledgedTotal() >= acks + 20
                    && ChaosJetJob.counted(client) >= jet + 20) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static String progress(ChaosLoad load, HazelcastInstance client) {
        return "calls " + load.callsDone() + ", acknowledged increments " + load.acknowledgedTotal() + ", Jet items "
                + ChaosJetJob.counted(client);
    }

    private static void awaitClusterSafe(ChaosCluster cluster) {
        Await.until(Duration.ofSeconds(120), "the cluster's partitions are safe (every backup in place)", () -> {
            try {
                return Boolean.TRUE.equals(cluster.probe(cluster.alive().get(0), new ChaosProbe(List.of()), 10).get("clusterSafe"));
            } catch (Exception e) {
                return false;
            }
        });
    }

    /**
     * Permits back to 0 within 10 s: the cluster limit's and each member's own. Returns the ms it
     * took, or -1. A member that gives no answer is described (process state, GC, busy threads).
     */
    private long checkPermitsComeBack(int round, ChaosCluster cluster, Py py) throws InterruptedException {
        long from = System.nanoTime();
        long deadline = from + QUIET_BOUND.toNanos();
        String last = "";
        java.util.Set<Integer> silent = new java.util.TreeSet<>();
        while (true) {
            Map<String, Object> held = new TreeMap<>();
            held.put("cluster", py.semaphore().current());
            silent.clear();
            for (int port : cluster.alive()) {
                try {
                    held.put(":" + port, cluster.probe(port, new ChaosProbe(List.of()), 5).get("localPermits"));
                } catch (Exception e) {
                    held.put(":" + port, "no answer (" + e + ")");
                    silent.add(port);
                }
            }
            if (held.values().stream().allMatch(v -> Integer.valueOf(0).equals(v))) {
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - from);
                quietMillis.add(ms);
                return ms;
            }
            last = held.toString();
            if (System.nanoTime() > deadline) {
                quietMillis.add(-1L);
                StringBuilder why = new StringBuilder();
                silent.forEach(port -> why.append("; :").append(port).append(", which did not answer: ")
                        .append(cluster.diagnose(port)));
                report.violation(round, "permits still held " + QUIET_BOUND.toSeconds() + " s after the load paused: " + last + why);
                return -1;
            }
            Thread.sleep(50);
        }
    }

    /** No acknowledged increment lost, none applied twice: acknowledged ≤ value ≤ attempted, per key. */
    private String checkIncrements(int round, ChaosLoad load, Py py, Map<Integer, Integer> ownersAtTheKill) {
        long applied = 0;
        for (int k = 0; k < ChaosLoad.KEYS; k++) {
            long value = valueOf(py, load.key(k));
            applied += value;
            if (value < load.acknowledged(k)) {
                report.violation(round, "acknowledged increments lost: " + load.key(k) + " is " + value + " after "
                        + load.acknowledged(k) + " acknowledged (its partition's owner at this round's SIGKILL: :"
                        + ownersAtTheKill.get(k) + ")");
            }
            if (value > load.attempted(k)) {
                report.violation(round, "increments applied more often than attempted: " + load.key(k) + " is " + value
                        + " after " + load.attempted(k) + " attempted");
            }
        }
        return load.acknowledgedTotal() + " acknowledged, " + applied + " applied, " + load.attemptedTotal() + " attempted";
    }

    /**
     * At no moment of the round more calls running in Python (by their own wall-clock intervals) than
     * the cluster limit; a round that breaks it says when, from the SIGKILL.
     */
    private int checkOverlap(int round, ChaosLoad load, int callsBefore, long killedAtMillis) {
        List<List<?>> all = load.intervals();
        List<List<?>> thisRound = all.subList(callsBefore, all.size());
        int overlap = Intervals.maxOverlap(thisRound);
        maxOverlap = Math.max(maxOverlap, overlap);
        if (overlap > CLUSTER_LIMIT) {
            report.violation(round, overlap + " calls ran in Python at once, over the cluster limit of " + CLUSTER_LIMIT
                    + " (of " + thisRound.size() + " calls in the round; first over it " + String.format(java.util.Locale.ROOT,
                    "%+.2f", firstMomentOver(thisRound, CLUSTER_LIMIT) - killedAtMillis / 1000.0) + " s from the SIGKILL)");
        }
        return overlap;
    }

    /** The first moment (s since the epoch) at which more than {@code limit} intervals were open; NaN if none. */
    private static double firstMomentOver(List<List<?>> intervals, int limit) {
        List<double[]> events = new ArrayList<>();
        for (List<?> i : intervals) {
            events.add(new double[] {((Number) i.get(0)).doubleValue(), 1});
            events.add(new double[] {((Number) i.get(1)).doubleValue(), -1});
        }
        events.sort((x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(x[1], y[1]));
        int open = 0;
        for (double[] e : events) {
            open += (int) e[1];
            if (open > limit) {
                return e[0];
            }
        }
        return Double.NaN;
    }

    /** Every function an acknowledged exec defined is there on every member, the replacement too. */
    private void checkExecDefinedFunctions(int round, ChaosCluster cluster, ChaosLoad load, int replacement) {
        List<String> defined = load.defined();
        if (defined.isEmpty()) {
            report.violation(round, "no exec was acknowledged so far");
            return;
        }
        for (int port : cluster.alive()) {
            String who = ":" + port + (port == replacement ? " (the replacement)" : "");
            try {
                List<?> missing = (List<?>) cluster.probe(port, new ChaosProbe(defined), 60).get("missing");
                if (!missing.isEmpty()) {
                    report.violation(round, who + " lacks " + missing.size() + " of the " + defined.size()
                            + " exec-defined functions, e.g. " + missing.subList(0, Math.min(EXAMPLES, missing.size())));
                }
            } catch (Exception e) {
                report.violation(round, "could not ask " + who + " for its exec-defined functions: " + e);
            }
        }
    }

    /** A call keyed to each member, and one without a key, succeed (a full limit is asked again, at most 20 s). */
    private void checkCallsToEveryMember(int round, ChaosCluster cluster, Py py) throws InterruptedException {
        for (int port : cluster.alive()) {
            String key = keyOwnedBy(cluster, port);
            String failed = callOnce(py, PyCall.of("chaosmod", "wall_interval", 0.0).key(key));
            if (failed != null) {
                report.violation(round, "a call keyed to :" + port + " failed: " + failed);
            }
        }
        String failed = callOnce(py, PyCall.of("chaosmod", "wall_interval", 0.0));
        if (failed != null) {
            report.violation(round, "a call without a key failed: " + failed);
        }
    }

    private static String keyOwnedBy(ChaosCluster cluster, int port) {
        for (int i = 0; i < 100_000; i++) {
            if (cluster.ownerOf("to-" + i) == port) {
                return "to-" + i;
            }
        }
        throw new AssertionError("no key of 100 000 is owned by :" + port);
    }

    private static String callOnce(Py py, PyCall call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                py.call(call);
                return null;
            } catch (OverloadedException e) {
                if (System.nanoTime() > deadline) {
                    return e.toString();
                }
                Thread.sleep(20);
            } catch (RuntimeException e) {
                return e.toString();
            }
        }
    }

    /**
     * Every failure of the load in this round (overloads are backpressure, counted apart) is one of
     * {@link PyException}'s typed subclasses (e.g. {@link PyUnavailableException}) and names the member killed or stopped in it. Returns the failures by type.
     */
    private Map<String, Integer> checkFailures(int round, ChaosLoad load, int killed, int stopped) {
        Map<String, Integer> byType = new TreeMap<>();
        Map<String, List<String>> broken = new TreeMap<>();
        for (ChaosLoad.Failure f : load.drainFailures()) {
            String type = f.error().getClass().getSimpleName();
            byType.merge(type, 1, Integer::sum);
            String text = shorter(f.operation() + ": " + f.error());
            examples.putIfAbsent(type, text);
            if (!(f.error() instanceof PyException)) {
                broken.computeIfAbsent(type + " failures, not a PyException", k -> new ArrayList<>()).add(text);
            } else if (f.error().getClass() == PyException.class) {
                broken.computeIfAbsent("failures of the bare PyException, not one of its typed subclasses",
                        k -> new ArrayList<>()).add(text);
            } else if (!names(f.error(), killed) && !names(f.error(), stopped)) {
                broken.computeIfAbsent(type + " failures naming neither :" + killed + " (killed) nor :" + stopped
                        + " (stopped)", k -> new ArrayList<>()).add(text);
            }
        }
        broken.forEach((what, texts) -> report.violation(round, texts.size() + " " + what + ", e.g. "
                + texts.subList(0, Math.min(EXAMPLES, texts.size()))));
        return byType;
    }

    private static double sinceMillis(long wallMillis) {
        return (System.currentTimeMillis() - wallMillis) / 1000.0;
    }

    private static String shorter(String text) {
        return text.length() <= 240 ? text : text.substring(0, 240) + "…";
    }

    /** Whether the message names the member at 127.0.0.1:{@code port}, as Hazelcast writes addresses ("[127.0.0.1]:6051"). */
    private static boolean names(Throwable t, int port) {
        String message = String.valueOf(t.getMessage());
        return message.matches("(?s).*127\\.0\\.0\\.1\\]?:" + port + "(?!\\d).*");
    }

    /** The Jet job is alive (it restarts around lost and new members; it neither failed nor ended). */
    private void checkJob(int round, Job job) {
        JobStatus status = job.getStatus();
        if (status == JobStatus.FAILED || status == JobStatus.COMPLETED) {
            String why = "";
            try {
                job.getFuture().getNow(null);
            } catch (RuntimeException e) {
                why = ": " + e;
            }
            report.violation(round, "the Jet job is " + status + why);
        }
    }

    /**
     * Writes the stacks of the client's load threads and of every live member (jcmd) under
     * target/chaos-dumps, for a round whose load did not pause in time; returns the directory.
     */
    private static java.nio.file.Path dumpThreads(int round, ChaosCluster cluster) {
        java.nio.file.Path dir = java.nio.file.Path.of("target", "chaos-dumps", "round-" + round);
        try {
            java.nio.file.Files.createDirectories(dir);
            StringBuilder client = new StringBuilder();
            Thread.getAllStackTraces().forEach((t, stack) -> {
                client.append(t).append('\n');
                for (StackTraceElement e : stack) {
                    client.append("    at ").append(e).append('\n');
                }
            });
            java.nio.file.Files.writeString(dir.resolve("client.txt"), client);
            for (int port : cluster.alive()) {
                cluster.dumpThreads(port, dir.resolve("member-" + port + ".txt"));
            }
        } catch (java.io.IOException e) {
            return java.nio.file.Path.of("not written: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return dir.toAbsolutePath();
    }
}
