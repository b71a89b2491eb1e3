package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.function.FunctionEx;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.aggregate.AggregateOperations;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.StreamStage;
import com.hazelcast.jet.pipeline.WindowDefinition;
import com.hazelcast.jet.pipeline.test.TestSources;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;
import org.hzpy.support.Await;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.LongFunction;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Python stream stages on timestamped streams (the 2-member test cluster, module jetmod): each
 * result keeps its item's timestamp and watermarks pass, so windows after the stage close on time
 * and hold exactly the results of their items.
 */
@ExtendWith(Invariants.class)
class JetTimestampsTest {
    private static final long WINDOW = 10;
    /** Generous: what is tested is where results go, and the members' one context each may be cold and the machine busy. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);
    private static final PyStageConfig DOUBLE = PyStageConfig.of("jetmod", "double_all").batchSize(8).timeout(CALL_TIMEOUT);
    private static final PyStageConfig EVEN = PyStageConfig.of("jetmod", "keep_even").batchSize(8).timeout(CALL_TIMEOUT);
    private static final PyStageConfig REPEAT = PyStageConfig.of("jetmod", "repeat_by_rest").batchSize(8).timeout(CALL_TIMEOUT);

    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();

    JetTimestampsTest() {
        TestMembers.py(a); // both members' contexts started
        TestMembers.py(b);
    }

    /** Every stream variant and what it makes of item x. */
    static Stream<Arguments> variants() {
        FunctionEx<Long, Long> key = x -> x;
        LongFunction<List<Long>> doubled = x -> List.of(x * 2);
        LongFunction<List<Long>> ifEven = x -> x % 2 == 0 ? List.of(x) : List.of();
        LongFunction<List<Long>> repeated = x -> Collections.nCopies((int) (x % 3), x);
        return Stream.of(
                Arguments.of("map", PyTransforms.<Long, Long>mapUsingPython(DOUBLE), doubled),
                Arguments.of("keyed map", PyTransforms.<Long, Long, Long>mapUsingPython(key, DOUBLE), doubled),
                Arguments.of("filter", PyTransforms.<Long>filterUsingPython(EVEN), ifEven),
                Arguments.of("keyed filter", PyTransforms.<Long, Long>filterUsingPython(key, EVEN), ifEven),
                Arguments.of("flat-map", PyTransforms.<Long, Long>flatMapUsingPython(REPEAT), repeated),
                Arguments.of("keyed flat-map", PyTransforms.<Long, Long, Long>flatMapUsingPython(key, REPEAT), repeated));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aStreamStageAfterAddTimestamps_keepsEachItemsTimestamp_andWindowsCloseBehindIt(String variant,
            FunctionEx<StreamStage<Long>, StreamStage<Long>> stage, LongFunction<List<Long>> each) {
        // Given a stream 0, 1, 2, ... whose items are their own timestamps, through the stage into windows of 10
        String sink = "jet-out-" + UUID.randomUUID();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.itemStream(1_000, (ts, seq) -> seq)).withoutTimestamps()
                .addTimestamps(x -> x, 0)
                .apply(stage)
                .window(WindowDefinition.tumbling(WINDOW))
                .aggregate(AggregateOperations.toList())
                .map(w -> { // [start, results...]: a plain list for the sink
                    List<Long> row = new ArrayList<>();
                    row.add(w.start());
                    row.addAll(w.result());
                    return row;
                })
                .writeTo(Sinks.list(sink));

        // When some windows have closed
        Job job = a.getJet().newJob(p);
        try {
            awaitRows(job, sink, 5);

            // Then each holds exactly the results of the items whose timestamps it spans
            for (List<Long> row : a.<List<Long>>getList(sink)) {
                long start = row.get(0);
                List<Long> expected = LongStream.range(start, start + WINDOW).boxed()
                        .flatMap(x -> each.apply(x).stream()).toList();
                assertThat(row.subList(1, row.size())).as("window from " + start).containsExactlyInAnyOrderElementsOf(expected);
            }
        } finally {
            job.cancel();
        }
    }

    @Test
    void aStreamStageAfterIngestionTimestamps_letsWindowsClose() {
        // Given a stream with ingestion timestamps through a map stage into windows of 100 ms
        String sink = "jet-out-" + UUID.randomUUID();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.itemStream(1_000, (ts, seq) -> seq)).withIngestionTimestamps()
                .apply(PyTransforms.<Long, Long>mapUsingPython(DOUBLE))
                .window(WindowDefinition.tumbling(100))
                .aggregate(AggregateOperations.summingLong(x -> x % 2 == 0 ? 1 : 1_000_000))
                .map(w -> List.of(w.start(), w.result()))
                .writeTo(Sinks.list(sink));

        // When windows have closed
        Job job = a.getJet().newJob(p);
        try {
            awaitRows(job, sink, 3);

            // Then they counted the stage's results (all even: doubled)
            for (List<Long> row : a.<List<Long>>getList(sink)) {
                assertThat(row.get(1)).as("window from " + row.get(0)).isPositive().isLessThan(1_000_000);
            }
        } finally {
            job.cancel();
        }
    }

    /** Waits for {@code rows} rows in the sink; a job that failed meanwhile fails the test with its reason. */
    private void awaitRows(Job job, String sink, int rows) {
        Await.until(Duration.ofSeconds(180), rows + " windows in the sink", () -> {
            if (job.getFuture().isCompletedExceptionally()) {
                job.join(); // throws the job's failure
            }
            return a.getList(sink).size() >= rows;
        });
    }
}
