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
        FunctionTimer timeouts = registry.find("hzpy.calls").tags("outcome", "timeout", "origin", "member", "kind", "call").functionTimer();
        assertThat(timeouts.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(200);
    }

    @Test
    void theOriginTag_tellsMemberClientAndJetCallsApart() {
        // Given the meters of both members of the 2-member cluster
        List<HazelcastInstance> members = List.of(TestMembers.clusterA(), TestMembers.clusterB());
        List<SimpleMeterRegistry> registries = members.stream().map(m -> {
            SimpleMeterRegistry r = new SimpleMeterRegistry();
            HzpyMetrics.of(TestMembers.py(m)).bindTo(r);
            return r;
        }).toList();
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
    void withoutTheSetting_thereIsNoEndpointAndNoThread() {
        Py other = TestMembers.py(TestMembers.isolated()); // a member whose hazelcast.yaml does not set it

        assertThat(other.prometheusEndpoint()).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .filteredOn(n -> n.startsWith("hzpy-metrics-")).allMatch(n -> n.equals("hzpy-metrics-" + member.getName()));
    }
}
