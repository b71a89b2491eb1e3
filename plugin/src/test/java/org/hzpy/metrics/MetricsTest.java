package org.hzpy.metrics;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.hzpy.OverloadedException;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyTimeoutException;
import org.hzpy.PythonException;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** hzpy's meters on a member of its own (max-concurrent 2, its Prometheus endpoint on a free port). */
class MetricsTest {
    private static HazelcastInstance member;
    private static Py py;

    @BeforeAll
    static void start() {
        member = TestMembers.startOwn("metrics");
        py = TestMembers.py(member);
    }

    @AfterAll
    static void stop() {
        member.shutdown();
    }

    private static double calls(SimpleMeterRegistry registry, String kind, String origin, String outcome) {
        FunctionTimer t = registry.find("hzpy.calls").tags("kind", kind, "origin", origin, "outcome", outcome).functionTimer();
        assertThat(t).as("hzpy.calls{kind=%s,origin=%s,outcome=%s}", kind, origin, outcome).isNotNull();
        return t.count();
    }

    private static double gauge(SimpleMeterRegistry registry, String name, String tag, String value) {
        Gauge g = registry.find(name).tag(tag, value).gauge();
        assertThat(g).as("%s{%s=%s}", name, tag, value).isNotNull();
        return g.value();
    }

    @Test
    void theCallsTimer_countsEachOutcome() {
        // Given the meters bound to a registry
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HzpyMetrics.of(py).bindTo(registry);
        double ok = calls(registry, "call", "member", "ok");
        double failed = calls(registry, "call", "member", "python_error");
        double timedOut = calls(registry, "call", "member", "timeout");
        double refused = calls(registry, "call", "member", "overloaded");
        double evals = calls(registry, "eval", "member", "ok");
        double timedOutMillis = callsTimer(registry, "call", "member", "timeout").totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);

        // When calls succeed, fail, time out and are refused
        py.call("testmod", "echo", 1);
        catchThrowableOfType(PythonException.class, () -> py.call("testmod", "fail", "no"));
        catchThrowableOfType(PyTimeoutException.class, () -> py.call(PyCall.of("testmod", "spin").timeout(Duration.ofMillis(200))));
        List<CompletableFuture<Object>> holders = List.of(
                py.callAsync(PyCall.of("testmod", "sleep_then", 1.0, 1)).toCompletableFuture(),
                py.callAsync(PyCall.of("testmod", "sleep_then", 1.0, 2)).toCompletableFuture());
        catchThrowableOfType(OverloadedException.class, () -> py.call("testmod", "echo", 2));
        holders.forEach(CompletableFuture::join);
        py.eval("1 + 1");

        // Then each outcome's count went up by what happened
        assertThat(calls(registry, "call", "member", "ok") - ok).isEqualTo(3);
        assertThat(calls(registry, "call", "member", "python_error") - failed).isEqualTo(1);
        assertThat(calls(registry, "call", "member", "timeout") - timedOut).isEqualTo(1);
        assertThat(calls(registry, "call", "member", "overloaded") - refused).isEqualTo(1);
        assertThat(calls(registry, "eval", "member", "ok") - evals).isEqualTo(1);
        assertThat(callsTimer(registry, "call", "member", "timeout").totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)
                - timedOutMillis).as("the time of this test's one timeout").isGreaterThanOrEqualTo(200);
    }

    /** A registry of its own bound to each of {@code members}. */
    private static List<SimpleMeterRegistry> registriesBoundTo(List<HazelcastInstance> members) {
        return members.stream().map(m -> {
            SimpleMeterRegistry r = new SimpleMeterRegistry();
            HzpyMetrics.of(TestMembers.py(m)).bindTo(r);
            return r;
        }).toList();
    }

    private static FunctionTimer callsTimer(SimpleMeterRegistry registry, String kind, String origin, String outcome) {
        return registry.find("hzpy.calls").tags("kind", kind, "origin", origin, "outcome", outcome).functionTimer();
    }

    @Test
    void theOriginTag_tellsMemberClientAndJetCallsApart() {
        // Given the meters of both members of the 2-member cluster
        List<HazelcastInstance> members = List.of(TestMembers.clusterA(), TestMembers.clusterB());
        List<SimpleMeterRegistry> registries = registriesBoundTo(members);
        java.util.function.ToDoubleFunction<String> okFrom = origin ->
                registries.stream().mapToDouble(r -> calls(r, "call", origin, "ok")).sum();
        double member0 = okFrom.applyAsDouble("member");
        double remote0 = okFrom.applyAsDouble("remote");
        double jet0 = okFrom.applyAsDouble("jet");

        // When a member, a client and a Jet job (3 batches of 4) call Python
        TestMembers.py(members.get(0)).call("testmod", "echo", 1);
        Py.on(TestMembers.clientOf(members.get(0))).call("testmod", "echo", 2);
        com.hazelcast.jet.pipeline.Pipeline p = com.hazelcast.jet.pipeline.Pipeline.create();
        p.readFrom(com.hazelcast.jet.pipeline.test.TestSources.items(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L))
                .apply(org.hzpy.jet.PyTransforms.<Long, Long>mapUsingPythonBatch(org.hzpy.jet.PyStageConfig.of("jetmod", "double_all")
                        .batchSize(4).concurrentBatches(1)))
                .writeTo(com.hazelcast.jet.pipeline.Sinks.noop());
        members.get(0).getJet().newJob(p).join();

        // Then each is counted under its own origin (how Jet splits the items into batches is its own)
        assertThat(okFrom.applyAsDouble("member") - member0).isEqualTo(1);
        assertThat(okFrom.applyAsDouble("remote") - remote0).isEqualTo(1);
        assertThat(okFrom.applyAsDouble("jet") - jet0).isBetween(3.0, 12.0);
    }

    @Test
    void memoryStats_fromAMemberAndFromAClient_coverEveryMember() {
        HazelcastInstance a = TestMembers.clusterA();
        for (HazelcastInstance m : List.of(a, TestMembers.clusterB())) { // each context caught up on execs (a reading skips one behind)
            Py p = TestMembers.py(m);
            for (int i = 0; i < p.contexts().numContexts(); i++) {
                TestMembers.inContext(p, i, () -> p.call("testmod", "echo", 0));
            }
        }
        List<String> addresses = a.getCluster().getMembers().stream().map(m -> m.getAddress().toString()).sorted().toList();

        for (Py asker : List.of(TestMembers.py(a), Py.on(TestMembers.clientOf(a)))) {
            List<org.hzpy.PyMemoryStats> stats = asker.memoryStats();

            assertThat(stats).extracting(org.hzpy.PyMemoryStats::member).containsExactlyElementsOf(addresses);
            for (org.hzpy.PyMemoryStats s : stats) {
                assertThat(s.contexts()).isPositive();
                assertThat(s.heapUsedBytes()).isPositive().isLessThanOrEqualTo(s.heapMaxBytes());
                assertThat(s.heapLiveBytes()).isPositive();
                assertThat(s.gcCounts()).hasSize(s.contexts());
                assertThat(s.gcCounts()).as("idle contexts answer gc.get_count()").anySatisfy(c -> assertThat(c).hasSize(3));
            }
        }
    }

    @Test
    void withPercentiles_theCallsMeterIsATimerThatPublishesThem() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HzpyMetrics.of(py).percentiles(0.5, 0.99).bindTo(registry);

        for (int i = 0; i < 20; i++) {
            py.call("testmod", "echo", i);
        }

        io.micrometer.core.instrument.Timer timer = registry.find("hzpy.calls")
                .tags("kind", "call", "origin", "member", "outcome", "ok").timer();
        assertThat(timer).isNotNull();
        assertThat(timer.count()).isEqualTo(20);
        assertThat(timer.takeSnapshot().percentileValues()).extracting(io.micrometer.core.instrument.distribution.ValueAtPercentile::percentile)
                .containsExactly(0.5, 0.99);
    }

    @Test
    void badPercentiles_areRefusedNamingThem() {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> HzpyMetrics.of(py).percentiles(0.5, 1.0, -0.1));
        IllegalArgumentException client = catchThrowableOfType(IllegalArgumentException.class,
                () -> HzpyMetrics.of(Py.on(TestMembers.clientOf(TestMembers.clusterA()))));

        assertThat(e.getMessage()).contains("out of range: 1.0, -0.1");
        assertThat(client.getMessage()).contains("bind HzpyMetrics on each member");
    }

    @Test
    void thePermitAndContextGauges_showACallInFlight() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HzpyMetrics.of(py).bindTo(registry);
        assertThat(gauge(registry, "hzpy.permits.max", "scope", "member")).isEqualTo(2);
        assertThat(registry.find("hzpy.permits.in.use").tag("scope", "cluster").gauge()).as("no cluster limit here").isNull();

        // When a call runs
        CompletableFuture<Object> running = py.callAsync(PyCall.of("testmod", "sleep_then", 1.0, 1)).toCompletableFuture();
        try {
            // Then it holds a permit and keeps a context busy
            Await.until(Duration.ofSeconds(10), "a busy context", () -> gauge(registry, "hzpy.contexts", "state", "busy") == 1);
            assertThat(gauge(registry, "hzpy.permits.in.use", "scope", "member")).isEqualTo(1);
            assertThat(gauge(registry, "hzpy.contexts", "state", "idle")).isEqualTo(1);
        } finally {
            running.join();
        }
        Await.until(Duration.ofSeconds(10), "the permit back", () -> gauge(registry, "hzpy.permits.in.use", "scope", "member") == 0);
        assertThat(gauge(registry, "hzpy.contexts", "state", "busy")).isZero();
        assertThat(registry.find("hzpy.jit.active").gauge().value()).isEqualTo(1);
        assertThat(registry.find("hzpy.memory.heap.live").gauge().value()).isPositive();
    }

    @Test
    void theMembersPrometheusEndpoint_servesTheMetersWithTheirTags() throws Exception {
        // Given a member whose hazelcast.yaml asks for the endpoint on any free port, and a call made
        py.call("testmod", "echo", "scraped");
        URI uri = py.prometheusEndpoint().orElseThrow();
        assertThat(uri.getHost()).isEqualTo("127.0.0.1");

        // When it is scraped over HTTP
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());

        // Then it answers with hzpy's meters, tagged, and the JVM's own
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(response.body()).contains("hzpy_calls_seconds_count{kind=\"call\",origin=\"member\",outcome=\"ok\"}",
                "hzpy_permits_max{scope=\"member\"} 2", "hzpy_contexts{state=\"idle\"}", "hzpy_jit_active 1",
                "jvm_memory_used_bytes", "jvm_threads_live_threads");
    }

    @Test
    void withoutTheSetting_thereIsNoEndpointAndNoThread() throws Exception {
        // Given a member whose endpoint has served a request (its thread starts on the first one)
        HttpResponse<Void> scraped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(py.prometheusEndpoint().orElseThrow())
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(scraped.statusCode()).isEqualTo(200);

        // When another member's hazelcast.yaml does not set hzpy.metrics.prometheus-port
        Py other = TestMembers.py(TestMembers.isolated());

        // Then it has no endpoint, and the only endpoint thread in this JVM is the first member's
        assertThat(other.prometheusEndpoint()).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .filteredOn(n -> n.startsWith("hzpy-metrics-")).containsExactly("hzpy-metrics-" + member.getName());
    }

    private static double counter(SimpleMeterRegistry registry, String name) {
        io.micrometer.core.instrument.FunctionCounter c = registry.find(name).functionCounter();
        assertThat(c).as(name).isNotNull();
        return c.count();
    }

    @Test
    void anAbandonedContext_countsAsOneRestart() {
        // Given the meters of a member with hzpy.abandon-after: 1s
        Py runaway = TestMembers.py(TestMembers.runaway());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HzpyMetrics.of(runaway).bindTo(registry);
        double restarts = counter(registry, "hzpy.context.restarts");
        long abandoned = runaway.stats().contextsAbandoned();

        // When a call stuck in a builtin that ignores its interrupt (3 ** 40,000,000, ~5 s) is abandoned
        catchThrowableOfType(PyTimeoutException.class,
                () -> runaway.call(PyCall.of("hardening", "huge_power", 40_000_000).timeout(Duration.ofMillis(500))));

        // Then its context was restarted once, and counted once
        assertThat(runaway.stats().contextsAbandoned()).isEqualTo(abandoned + 1);
        assertThat(counter(registry, "hzpy.context.restarts") - restarts).isEqualTo(1);
    }

    @Test
    void percentilesBoundTwiceToARegistry_recordEachCallOnce() {
        // Given the meters with percentiles bound twice to the same registry
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HzpyMetrics.of(py).percentiles(0.5).bindTo(registry);
        HzpyMetrics.of(py).percentiles(0.5).bindTo(registry);
        io.micrometer.core.instrument.Timer timer = registry.find("hzpy.calls")
                .tags("kind", "call", "origin", "member", "outcome", "ok").timer();
        long before = timer.count();

        // When 3 calls succeed
        for (int i = 0; i < 3; i++) {
            py.call("testmod", "echo", i);
        }

        // Then the timer counts 3
        assertThat(timer.count() - before).isEqualTo(3);
    }

    @Test
    void anExecFromAClient_isCountedAsRemote() {
        // Given the meters of both members of the 2-member cluster
        List<HazelcastInstance> members = List.of(TestMembers.clusterA(), TestMembers.clusterB());
        List<SimpleMeterRegistry> registries = registriesBoundTo(members);
        java.util.function.ToDoubleFunction<String> execsFrom = origin ->
                registries.stream().mapToDouble(r -> calls(r, "exec", origin, "ok")).sum();
        double member0 = execsFrom.applyAsDouble("member");
        double remote0 = execsFrom.applyAsDouble("remote");

        // When a client runs exec
        Py.on(TestMembers.clientOf(members.get(0))).exec("metrics_test_remote_exec = 1");

        // Then the member that ran it counts it as remote
        assertThat(execsFrom.applyAsDouble("remote") - remote0).isEqualTo(1);
        assertThat(execsFrom.applyAsDouble("member") - member0).isZero();
    }

    @Test
    void aJetBatchRetriedForWantOfAPermit_isNotCountedAsAnOverloadedCall() {
        // Given the meters, and both of the member's permits (max-concurrent 2) held by 3 s calls
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HzpyMetrics.of(py).bindTo(registry);
        double overloaded = calls(registry, "call", "jet", "overloaded");
        double ok = calls(registry, "call", "jet", "ok");
        double refusals = counter(registry, "hzpy.jet.batches.refused");
        List<CompletableFuture<Object>> holders = List.of(
                py.callAsync(PyCall.of("testmod", "sleep_then", 60.0, 1).timeout(Duration.ofSeconds(90))).toCompletableFuture(),
                py.callAsync(PyCall.of("testmod", "sleep_then", 60.0, 2).timeout(Duration.ofSeconds(90))).toCompletableFuture());
        Await.until(Duration.ofSeconds(30), "both permits held", () -> py.semaphore().current() == 2);

        // When a Jet job's one batch is refused, tried again after pauses, and runs once the permits are back
        com.hazelcast.jet.pipeline.Pipeline p = com.hazelcast.jet.pipeline.Pipeline.create();
        p.readFrom(com.hazelcast.jet.pipeline.test.TestSources.items(1L, 2L, 3L, 4L))
                .apply(org.hzpy.jet.PyTransforms.<Long, Long>mapUsingPythonBatch(org.hzpy.jet.PyStageConfig.of("jetmod", "double_all")
                        .batchSize(4).concurrentBatches(1).timeout(Duration.ofMinutes(2))))
                .writeTo(com.hazelcast.jet.pipeline.Sinks.noop());
        com.hazelcast.jet.Job job = member.getJet().newJob(p);
        try {
            Await.until(Duration.ofMinutes(2), "the batch refused twice",
                    () -> counter(registry, "hzpy.jet.batches.refused") - refusals >= 2);
        } finally {
            holders.forEach(h -> h.cancel(true)); // the permits come back
        }
        job.join();

        // Then the batch was refused at least once, and no refusal counted as an overloaded call
        assertThat(counter(registry, "hzpy.jet.batches.refused") - refusals).as("refused attempts").isPositive();
        assertThat(calls(registry, "call", "jet", "overloaded") - overloaded).isZero();
        assertThat(calls(registry, "call", "jet", "ok") - ok).isPositive();
    }

    @Test
    void theThreeContextGauges_readOneSnapshotInAScrape() {
        // Given the meters of a member with 2 idle contexts, and a scrape that has read the busy gauge
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HzpyMetrics.of(py).bindTo(registry);
        org.hzpy.runtime.PythonRuntime runtime = org.hzpy.cluster.HzpyPlugin.runtimeOf(member);
        Await.until(Duration.ofSeconds(30), "both contexts idle", () -> runtime.contextStates().idle() == 2);
        double busy = gauge(registry, "hzpy.contexts", "state", "busy");

        // When a call starts before the scrape reads the other two
        CompletableFuture<Object> running = py.callAsync(PyCall.of("testmod", "sleep_then", 1.0, 1)).toCompletableFuture();
        try {
            Await.until(Duration.ofSeconds(30), "a busy context", () -> runtime.contextStates().busy() == 1);
            double idle = gauge(registry, "hzpy.contexts", "state", "idle");
            double starting = gauge(registry, "hzpy.contexts", "state", "starting");

            // Then the three add up to the member's contexts
            assertThat(busy + idle + starting).isEqualTo(2);
        } finally {
            running.join();
        }
    }

    @Test
    void gcCounts_skipAContextBehindOnExec_insteadOfReplayingForAReading() {
        // Given a context that has not yet applied an exec another context ran
        py.exec("metrics_test_gc_probe = 1");
        long replays = py.stats().execReplays();

        // When the gc counts of every context are read
        List<List<Long>> counts = org.hzpy.cluster.HzpyPlugin.runtimeOf(member).gcCountsPerContext();

        // Then the behind context is skipped (an empty list), not caught up: that replay could take the exec's whole timeout
        assertThat(py.stats().execReplays()).isEqualTo(replays);
        assertThat(counts).hasSize(2).anySatisfy(c -> assertThat(c).isEmpty());
    }

    @Test
    void whyAllCallsAreRefused_isInTheStatsAndAMeter() {
        // Given the meters of a runtime of its own
        java.util.Properties settings = new java.util.Properties();
        settings.setProperty("hzpy.contexts", "1");
        org.hzpy.runtime.PythonRuntime runtime = org.hzpy.runtime.PythonRuntime.start(org.hzpy.HzpySettings.fromProperties(settings),
                "hzpy-metrics-closing");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HzpyMetrics.of(runtime).bindTo(registry);
        assertThat(gauge(registry, "hzpy.refusing", "reason", "closed")).isZero();

        // When it closes
        runtime.close();

        // Then its stats and the meter say why it refuses every call
        assertThat(runtime.stats().callsRefusedBecause()).contains("closed");
        assertThat(gauge(registry, "hzpy.refusing", "reason", "closed")).isEqualTo(1);
        assertThat(gauge(registry, "hzpy.refusing", "reason", "memory")).isZero();
        assertThat(py.stats().callsRefusedBecause()).as("a member that serves").isNull();
    }
}
