package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.test.TestSources;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Jet batch jobs on the 2-member test cluster whose stages call Python (module jetmod) in the members. */
@ExtendWith(Invariants.class)
class JetTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();

    private static List<Long> numbers(int n) {
        return LongStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
    }

    private <R> List<R> run(Pipeline p, String sink) {
        Job job = a.getJet().newJob(p);
        job.join();
        return new ArrayList<>(a.<R>getList(sink));
    }

    /** Runs 1..n through jetmod.double_all in batches of {@code batch}; the job's output. */
    private List<Long> doubled(int n, int batch) {
        String sink = "jet-out-" + UUID.randomUUID();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(numbers(n)))
                .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("jetmod", "double_all").batchSize(batch)))
                .writeTo(Sinks.list(sink));
        return run(p, sink);
    }

    @Test
    void aBatchStage_mapsEveryItemThroughPython() {
        List<Long> out = doubled(200, 16);

        assertThat(out).containsExactlyInAnyOrderElementsOf(numbers(200).stream().map(x -> x * 2).toList());
    }

    @Test
    void itemsAndResultsOfAnyConvertedType_crossTheStage() {
        String sink = "jet-out-" + UUID.randomUUID();
        List<Map<String, Object>> in = new ArrayList<>();
        for (long n = 1; n <= 20; n++) {
            in.add(Map.of("n", n, "tags", List.of("b", "a")));
        }
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(in))
                .apply(PyTransforms.<Map<String, Object>, Map<String, Object>>mapUsingPythonBatch(
                        PyStageConfig.of("jetmod", "describe_all").batchSize(5)))
                .writeTo(Sinks.list(sink));

        List<Map<String, Object>> out = run(p, sink);

        assertThat(out).hasSize(20);
        for (Map<String, Object> m : out) {
            long n = (Long) m.get("n");
            BigInteger power = BigInteger.valueOf(n).pow(30); // exact: a Long while it fits, then a BigInteger
            assertThat(m.get("cube_big")).isEqualTo(power.bitLength() < 64 ? (Object) power.longValue() : power);
            assertThat(m.get("tags")).isEqualTo(List.of("a", "b"));
            assertThat((byte[]) m.get("raw")).containsExactly((byte) n);
        }
    }

    @Test
    void aPythonError_failsTheJob_withItsTypeMessageAndTraceback() {
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(numbers(20)))
                .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("jetmod", "fail_on_seven").batchSize(4)))
                .writeTo(Sinks.noop());

        CompletionException e = catchThrowableOfType(CompletionException.class, () -> a.getJet().newJob(p).join());

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("Python stage jetmod.fail_on_seven() failed", "ValueError",
                "item 7 is not welcome", "jetmod.py", "line");
    }

    @Test
    void aHandlerThatReturnsTheWrongNumberOfItems_failsTheJob_sayingSo() {
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(numbers(10)))
                .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("jetmod", "drop_one").batchSize(5)))
                .writeTo(Sinks.noop());

        CompletionException e = catchThrowableOfType(CompletionException.class, () -> a.getJet().newJob(p).join());

        assertThat(e.getMessage()).contains("jetmod.drop_one() must return a list of");
    }

    @Test
    void aFullConcurrencyLimit_holdsTheStageBack_andEveryItemArrivesOnce() {
        // Given members that allow one Python call at a time
        Py onA = TestMembers.py(a);
        Py onB = TestMembers.py(b);
        int maxA = onA.semaphore().maxConcurrent();
        int maxB = onB.semaphore().maxConcurrent();
        onA.semaphore().setMaxConcurrent(1);
        onB.semaphore().setMaxConcurrent(1);
        try {
            // When a job sends 300 items in batches of 3 (many batches in flight at once)
            List<Long> out = doubled(300, 3);

            // Then the job completes with every item exactly once: refused batches were retried
            assertThat(out).containsExactlyInAnyOrderElementsOf(numbers(300).stream().map(x -> x * 2).toList());
        } finally {
            onA.semaphore().setMaxConcurrent(maxA);
            onB.semaphore().setMaxConcurrent(maxB);
        }
    }

    @Test
    void aBadStageConfig_isRefusedWithEveryProblemInOneMessage() {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> PyTransforms.mapUsingPythonBatch(PyStageConfig.of(" ", null).batchSize(0).timeout(Duration.ZERO)));

        assertThat(e.getMessage()).contains("module must be a module name, was ' '", "function must be a function name, was null",
                "batchSize must be from 1 to 100000, was 0", "timeout must be positive, was PT0S");
    }
}
