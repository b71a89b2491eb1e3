package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.test.TestSources;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;
import org.hzpy.support.Await;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Jet flat-map stages whose Python handler yields (module streammod), on the 2-member test cluster. */
@ExtendWith(Invariants.class)
class JetStreamTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();

    JetStreamTest() {
        TestMembers.py(a); // started and warmed up: a stage's first batches wait for no context start
        TestMembers.py(b);
    }

    /** What the handlers make of 1..n: x repeated x % 3 times. */
    private static List<Long> repeated(int n) {
        return LongStream.rangeClosed(1, n).boxed().flatMap(x -> Collections.nCopies((int) (x % 3), x).stream())
                .collect(Collectors.toList());
    }

    private List<Long> runBatch(String function) {
        String sink = "jet-stream-out-" + UUID.randomUUID();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(LongStream.rangeClosed(1, 90).boxed().collect(Collectors.toList())))
                .apply(PyTransforms.<Long, Long>flatMapUsingPythonBatch(PyStageConfig.of("streammod", function).batchSize(8)))
                .writeTo(Sinks.list(sink));
        a.getJet().newJob(p).join();
        return new ArrayList<>(a.<Long>getList(sink));
    }

    @Test
    void flatMapHandler_givingAGeneratorPerItem_emitsTheirItems() {
        // When a batch job's flat-map handler returns a generator for each item
        List<Long> out = runBatch("repeat_per_item");

        // Then each generator's items are emitted
        assertThat(out).containsExactlyInAnyOrderElementsOf(repeated(90));
    }

    @Test
    void flatMapHandler_thatIsAGenerator_emitsWhatItYields() {
        // When a batch job's flat-map handler is itself a generator (yielding a generator per item)
        List<Long> out = runBatch("repeat_yielding");

        // Then the items of what it yielded are emitted
        assertThat(out).containsExactlyInAnyOrderElementsOf(repeated(90));
    }

    @Test
    void streamingFlatMapHandler_thatYields_emitsItsItems() {
        // Given an endless stream 1, 2, 3, ... through a flat-map whose handler yields
        String sink = "jet-stream-out-" + UUID.randomUUID();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.itemStream(2_000, (ts, seq) -> seq + 1)).withoutTimestamps()
                .apply(PyTransforms.<Long, Long>flatMapUsingPython(PyStageConfig.of("streammod", "repeat_yielding").batchSize(8)))
                .writeTo(Sinks.list(sink));
        Job job = a.getJet().newJob(p);
        try {
            // When the results of the first 90 items are out
            int want = repeated(90).size();
            Await.until(Duration.ofMinutes(2), "the first 90 items' results",
                    () -> new ArrayList<>(a.<Long>getList(sink)).stream().filter(x -> x <= 90).count() >= want);

            // Then they are the items the generators yielded
            List<Long> out = new ArrayList<>(a.<Long>getList(sink));
            assertThat(out.stream().filter(x -> x <= 90).collect(Collectors.toList()))
                    .containsExactlyInAnyOrderElementsOf(repeated(90));
        } finally {
            job.cancel();
        }
    }
}
