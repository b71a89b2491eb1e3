package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.function.FunctionEx;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.pipeline.BatchStage;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.StreamStage;
import com.hazelcast.jet.pipeline.test.TestSources;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;
import org.hzpy.support.Await;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Jet batch and stream jobs on the 2-member test cluster whose stages call Python (module jetmod) in the members. */
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

    private static final PyStageConfig DOUBLE = PyStageConfig.of("jetmod", "double_all").batchSize(8);
    private static final PyStageConfig EVEN = PyStageConfig.of("jetmod", "keep_even").batchSize(8);
    private static final PyStageConfig REPEAT = PyStageConfig.of("jetmod", "repeat_by_rest").batchSize(8);
    private static final Function<Long, List<Long>> DOUBLED = x -> List.of(x * 2);
    private static final Function<Long, List<Long>> IF_EVEN = x -> x % 2 == 0 ? List.of(x) : List.of();
    private static final Function<Long, List<Long>> REPEATED = x -> Collections.nCopies((int) (x % 3), x);

    /** Every stage variant: its name, the batch and stream forms, what it makes of item x. */
    static Stream<Arguments> variants() {
        FunctionEx<Long, Long> key = x -> x;
        return Stream.of(
                Arguments.of("map", PyTransforms.<Long, Long>mapUsingPythonBatch(DOUBLE),
                        PyTransforms.<Long, Long>mapUsingPython(DOUBLE), DOUBLED),
                Arguments.of("keyed map", PyTransforms.<Long, Long, Long>mapUsingPythonBatch(key, DOUBLE),
                        PyTransforms.<Long, Long, Long>mapUsingPython(key, DOUBLE), DOUBLED),
                Arguments.of("filter", PyTransforms.<Long>filterUsingPythonBatch(EVEN),
                        PyTransforms.<Long>filterUsingPython(EVEN), IF_EVEN),
                Arguments.of("keyed filter", PyTransforms.<Long, Long>filterUsingPythonBatch(key, EVEN),
                        PyTransforms.<Long, Long>filterUsingPython(key, EVEN), IF_EVEN),
                Arguments.of("flat-map", PyTransforms.<Long, Long>flatMapUsingPythonBatch(REPEAT),
                        PyTransforms.<Long, Long>flatMapUsingPython(REPEAT), REPEATED),
                Arguments.of("keyed flat-map", PyTransforms.<Long, Long, Long>flatMapUsingPythonBatch(key, REPEAT),
                        PyTransforms.<Long, Long, Long>flatMapUsingPython(key, REPEAT), REPEATED));
    }

    private static List<Long> expected(int n, Function<Long, List<Long>> each) {
        return numbers(n).stream().flatMap(x -> each.apply(x).stream()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyBatchVariant_emitsWhatPythonDecided(String variant, FunctionEx<BatchStage<Long>, BatchStage<Long>> stage,
            FunctionEx<StreamStage<Long>, StreamStage<Long>> unused, Function<Long, List<Long>> each) {
        String sink = "jet-out-" + UUID.randomUUID();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(numbers(90))).apply(stage).writeTo(Sinks.list(sink));

        List<Long> out = run(p, sink);

        assertThat(out).containsExactlyInAnyOrderElementsOf(expected(90, each));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyStreamVariant_emitsWhatPythonDecided(String variant, FunctionEx<BatchStage<Long>, BatchStage<Long>> unused,
            FunctionEx<StreamStage<Long>, StreamStage<Long>> stage, Function<Long, List<Long>> each) {
        // Given an endless stream 1, 2, 3, ... through the stage
        String sink = "jet-out-" + UUID.randomUUID();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.itemStream(2_000, (ts, seq) -> seq + 1)).withoutTimestamps()
                .apply(stage)
                .writeTo(Sinks.list(sink));
        Job job = a.getJet().newJob(p);
        try {
            // When the results of the first 90 items are all out
            List<Long> want = expected(90, each);
            long biggest = want.stream().mapToLong(Long::longValue).max().orElseThrow();
            Await.until(Duration.ofSeconds(60), "the results of items 1..90 in the sink",
                    () -> a.<Long>getList(sink).stream().filter(v -> v <= biggest).count() >= want.size());

            // Then they are exactly what Python decided for each item, none twice
            List<Long> out = new ArrayList<>(a.<Long>getList(sink));
            assertThat(out.stream().filter(v -> v <= biggest).toList()).containsExactlyInAnyOrderElementsOf(want);
        } finally {
            job.cancel();
        }
    }

    @Test
    void aNoneResultOfAMapStage_emitsNothingForItsItem() {
        String sink = "jet-out-" + UUID.randomUUID();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(numbers(30)))
                .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("jetmod", "keep_none")))
                .writeTo(Sinks.list(sink));

        List<Long> out = run(p, sink);

        assertThat(out).containsExactlyInAnyOrderElementsOf(expected(30, IF_EVEN));
    }

    @Test
    void theKeyedVariant_spreadsASourceReadOnOneMember_overBothMembers() {
        // Given a function that answers which member runs the Python calling it
        TestMembers.py(a).registerFunction("jet_member", args -> "a");
        TestMembers.py(b).registerFunction("jet_member", args -> "b");
        try {
            String sink = "jet-out-" + UUID.randomUUID();
            Pipeline p = Pipeline.create();
            p.readFrom(TestSources.items(numbers(200))) // a source read by one processor on one member
                    .apply(PyTransforms.<Long, Long, String>mapUsingPythonBatch(x -> x, PyStageConfig.of("jetmod", "where_all")))
                    .writeTo(Sinks.list(sink));

            // When the items go through the keyed stage
            List<String> out = run(p, sink);

            // Then both members' Python worked on them (unkeyed, one member does it all)
            assertThat(out).hasSize(200).contains("a", "b");
        } finally {
            TestMembers.py(a).unregisterFunction("jet_member");
            TestMembers.py(b).unregisterFunction("jet_member");
        }
    }

    @Test
    void aFilterThatReturnsNoBooleans_failsTheJob_sayingWhichItem() {
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(numbers(10)))
                .apply(PyTransforms.<Long>filterUsingPythonBatch(PyStageConfig.of("jetmod", "not_booleans")))
                .writeTo(Sinks.noop());

        CompletionException e = catchThrowableOfType(CompletionException.class, () -> a.getJet().newJob(p).join());

        assertThat(e.getMessage()).contains("jetmod.not_booleans() must return a list of", "booleans", "item 0 is Long");
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

    /** Both members allow one Python call at a time while it is open; closing gives them their limits back. */
    private final class OnePermitEach implements AutoCloseable {
        final Py onA = TestMembers.py(a);
        final Py onB = TestMembers.py(b);
        private final int maxA = onA.semaphore().maxConcurrent();
        private final int maxB = onB.semaphore().maxConcurrent();

        OnePermitEach() {
            onA.semaphore().setMaxConcurrent(1);
            onB.semaphore().setMaxConcurrent(1);
        }

        List<Py> both() {
            return List.of(onA, onB);
        }

        @Override
        public void close() {
            onA.semaphore().setMaxConcurrent(maxA);
            onB.semaphore().setMaxConcurrent(maxB);
        }
    }

    @Test
    void aFullConcurrencyLimit_holdsTheStageBack_andEveryItemArrivesOnce() throws Exception {
        // Given members that allow one Python call at a time, each one's call held by a Java function
        // until the test releases it
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Object>> holds = new ArrayList<>();
        try (OnePermitEach limits = new OnePermitEach(); BackpressureLog refusals = BackpressureLog.capture()) {
            try {
                for (Py py : limits.both()) {
                    py.registerFunction("jet_hold", args -> release.await(2, TimeUnit.MINUTES));
                    holds.add(py.callAsync(PyCall.of("callbackmod", "call", "jet_hold").timeout(Duration.ofMinutes(2)))
                            .toCompletableFuture());
                    Await.until(Duration.ofMinutes(1), "the held call's permit", () -> py.semaphore().current() == 1);
                }

                // When a job sends 300 items in batches of 3 while the permits are held
                String sink = "jet-out-" + UUID.randomUUID();
                Pipeline p = Pipeline.create();
                p.readFrom(TestSources.items(numbers(300)))
                        .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("jetmod", "double_all").batchSize(3)))
                        .writeTo(Sinks.list(sink));
                Job job = a.getJet().newJob(p);

                // Then its batches are refused and held back: none reaches the sink
                Await.until(Duration.ofMinutes(1), "a batch refused for want of a permit", refusals::any);
                assertThat(a.getList(sink)).isEmpty();

                // and once the permits are free the job completes with every item exactly once
                release.countDown();
                job.join();
                assertThat(new ArrayList<Long>(a.<Long>getList(sink)))
                        .containsExactlyInAnyOrderElementsOf(numbers(300).stream().map(x -> x * 2).toList());
            } finally {
                release.countDown();
                for (CompletableFuture<Object> hold : holds) {
                    hold.get(1, TimeUnit.MINUTES);
                }
                for (Py py : limits.both()) {
                    py.unregisterFunction("jet_hold");
                }
            }
        }
    }

    @Test
    void callersThatKeepTheLimitBusy_doNotStarveTheStage_itsBatchesTakeTheNextFreePermit() throws Exception {
        // Given members that allow one Python call at a time, each kept busy by a caller that calls
        // again the moment its call ends (and at once again when refused)
        java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong callersCalls = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> callers = new ArrayList<>();
        try (OnePermitEach limits = new OnePermitEach()) {
            try {
                for (Py py : limits.both()) {
                    Thread caller = new Thread(() -> {
                        while (busy.get()) {
                            try {
                                py.call("testmod", "sleep_then", 0.01, null);
                                callersCalls.incrementAndGet();
                            } catch (OverloadedException e) {
                                Thread.onSpinWait();
                            }
                        }
                    }, "jet-test-busy-caller");
                    caller.start();
                    callers.add(caller);
                }
                Await.until(Duration.ofMinutes(1), "the callers' calls running", () -> callersCalls.get() > 20);

                // When a job sends 40 items in batches of 4, each batch waiting at most 10 s for a permit
                String sink = "jet-out-" + UUID.randomUUID();
                Pipeline p = Pipeline.create();
                p.readFrom(TestSources.items(numbers(40)))
                        .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("jetmod", "double_all").batchSize(4)
                                .timeout(Duration.ofSeconds(10))))
                        .writeTo(Sinks.list(sink));
                Job job = a.getJet().newJob(p);

                // Then the job completes with every item (its batches were not overtaken by the callers' next calls)
                job.join();
                assertThat(new ArrayList<Long>(a.<Long>getList(sink)))
                        .containsExactlyInAnyOrderElementsOf(numbers(40).stream().map(x -> x * 2).toList());
            } finally {
                busy.set(false);
                for (Thread caller : callers) {
                    caller.join(60_000);
                }
            }
        }
    }

    @Test
    void aStageThatAlwaysHasABatchWaiting_doesNotShutOutCallsOnItsMember() throws Exception {
        // Given members that allow one Python call at a time, and a stream job whose batches (20 ms
        // each in Python) come faster than they run, so that some always wait for a permit
        Job job = null;
        try (OnePermitEach limits = new OnePermitEach(); BackpressureLog refusals = BackpressureLog.capture()) {
            try {
                Pipeline p = Pipeline.create();
                p.readFrom(TestSources.itemStream(2_000, (ts, seq) -> seq)).withoutTimestamps()
                        .apply(PyTransforms.<Long, Long>mapUsingPython(PyStageConfig.of("jetmod", "pause_all").batchSize(4)
                                .timeout(Duration.ofMinutes(5))))
                        .writeTo(Sinks.noop());
                job = a.getJet().newJob(p);
                Await.until(Duration.ofMinutes(1), "batches waiting for a permit", refusals::any);

                // When a caller on each member calls again and again, at once when refused
                // Then each member serves it: 10 calls within a minute (permits alternate between the line and other callers)
                for (Py py : limits.both()) {
                    int done = 0;
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                    while (done < 10 && System.nanoTime() - deadline < 0) {
                        try {
                            py.call("testmod", "sleep_then", 0.0, null);
                            done++;
                        } catch (OverloadedException e) {
                            Thread.onSpinWait();
                        }
                    }
                    assertThat(done).as("calls served within a minute while the job's batches wait in line").isEqualTo(10);
                }
            } finally {
                if (job != null) {
                    Job running = job;
                    running.cancel();
                    Await.until(Duration.ofMinutes(1), "the job cancelled", () -> running.getStatus() == com.hazelcast.jet.core.JobStatus.FAILED);
                }
            }
        }
    }

    /** The stage's backpressure as the members log it (FINE, on the stage service's logger), while open. */
    private static final class BackpressureLog extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("org.hzpy.jet.PyStageService"); // held: a JUL logger is weakly kept
        private final Level levelBefore = logger.getLevel();
        private final AtomicInteger refused = new AtomicInteger();

        static BackpressureLog capture() {
            BackpressureLog log = new BackpressureLog();
            log.logger.setLevel(Level.FINE);
            log.logger.addHandler(log);
            return log;
        }

        boolean any() {
            return refused.get() > 0;
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getMessage().contains("found no free permit; it waits")) {
                refused.incrementAndGet();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setLevel(levelBefore);
        }
    }

    // ------------------------------------------------------------------ handlers from the job's attached directory

    @TempDir
    Path tmp;

    /** A job's handler directory: handlers.tag labels items with the VERSION of its sibling module helper. */
    private Path handlerDir(String version) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(version));
        Files.writeString(dir.resolve("handlers.py"), """
                import helper
                def tag(items):
                    return [helper.VERSION + ":" + str(x) for x in items]
                def peek(items):
                    with open("/etc/hostname") as f:
                        f.read()
                    return items
                """);
        Files.writeString(dir.resolve("helper.py"), "VERSION = '" + version + "'\n");
        return dir;
    }

    private Job startTagging(Path handlers, String sink) {
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.itemStream(200, (ts, seq) -> seq)).withoutTimestamps()
                .apply(PyTransforms.<Long, Long, String>mapUsingPython(x -> x,
                        PyStageConfig.of("handlers", "tag").attachedDirectory("py").batchSize(4)))
                .writeTo(Sinks.list(sink));
        return a.getJet().newJob(p, new JobConfig().attachDirectory(handlers.toString(), "py"));
    }

    @Test
    void twoJobsShippingDifferentVersionsOfOneModule_runAtTheSameTime_eachWithItsOwn() throws IOException {
        // Given two running jobs whose attached directories hold different modules named handlers and helper
        String sink1 = "jet-out-" + UUID.randomUUID();
        String sink2 = "jet-out-" + UUID.randomUUID();
        Job one = startTagging(handlerDir("v1"), sink1);
        Job two = startTagging(handlerDir("v2"), sink2);
        try {
            // When both have produced results while the other runs
            Await.until(Duration.ofSeconds(60), "results from both jobs",
                    () -> a.getList(sink1).size() >= 40 && a.getList(sink2).size() >= 40);

            // Then each job's stage used its own modules, on both members (a keyed stage)
            assertThat(a.<String>getList(sink1)).allMatch(s -> s.startsWith("v1:"));
            assertThat(a.<String>getList(sink2)).allMatch(s -> s.startsWith("v2:"));
        } finally {
            one.cancel();
            two.cancel();
        }
    }

    /**
     * Whether the module-scope modules in context {@code index} of {@code member} pass {@code check};
     * false while the probe is refused as overloaded (the job's own batches can fill the cluster limit).
     */
    private static boolean scopedModulesWhenServed(HazelcastInstance member, int index,
                                                   java.util.function.Predicate<List<?>> check) {
        try {
            return check.test(scopedModules(member, index));
        } catch (OverloadedException e) {
            return false;
        }
    }

    /** The module-scope modules in context {@code index} of {@code member} (the probe is a call: it syncs scopes first). */
    private static List<?> scopedModules(HazelcastInstance member, int index) {
        Py py = TestMembers.py(member);
        return TestMembers.inContext(py, index,
                () -> (List<?>) py.eval("[m for m in __import__('sys').modules if m.startswith('_hzpy_scope_')]"));
    }

    @Test
    void aJobsModules_areGoneFromEveryContextOfEveryMember_byTheirNextCall_onceTheJobEnds() throws IOException {
        // Given a running job whose attached handler is loaded in every context of both members (a
        // keyed stage spreads it; a context it never reached would have nothing to drop)
        TestMembers.py(a); // both members' contexts ready and warm: the job's first batches wait for no start-up
        TestMembers.py(b);
        String sink = "jet-out-" + UUID.randomUUID();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.itemStream(20, (ts, seq) -> seq)).withoutTimestamps() // slow: no backlog on a loaded machine
                .apply(PyTransforms.<Long, Long, String>mapUsingPython(x -> x,
                        PyStageConfig.of("handlers", "tag").attachedDirectory("py").batchSize(4)))
                .writeTo(Sinks.list(sink));
        Job job = a.getJet().newJob(p, new JobConfig().attachDirectory(handlerDir("v1").toString(), "py"));
        try {
            Await.until(Duration.ofSeconds(60), "results of the job", () -> a.getList(sink).size() >= 10);
            for (HazelcastInstance member : List.of(a, b)) {
                for (int i = 0; i < TestMembers.py(member).contexts().numContexts(); i++) {
                    int index = i;
                    Await.until(Duration.ofSeconds(60), "the job's modules loaded in context " + i + " of " + member.getName(),
                            () -> scopedModulesWhenServed(member, index, l -> l.stream().anyMatch(m -> m.toString().endsWith(".handlers"))));
                }
            }
        } finally {
            // When the job ends
            job.cancel();
        }

        // Then the next call in every context of either member finds none of its modules (contexts
        // drop a closed scope's modules before their next call: the probe, being a call, is that call)
        for (HazelcastInstance member : List.of(a, b)) {
            for (int i = 0; i < TestMembers.py(member).contexts().numContexts(); i++) {
                int index = i;
                Await.until(Duration.ofSeconds(30), "the job's modules gone from context " + i + " of " + member.getName(),
                        () -> scopedModulesWhenServed(member, index, List::isEmpty));
            }
        }
    }

    @Test
    void aHandlerFromAnAttachedDirectory_mayNotReadFilesOutsideIt() throws IOException {
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(numbers(4)))
                .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("handlers", "peek").attachedDirectory("py")))
                .writeTo(Sinks.noop());

        CompletionException e = catchThrowableOfType(CompletionException.class,
                () -> a.getJet().newJob(p, new JobConfig().attachDirectory(handlerDir("v1").toString(), "py")).join());

        assertThat(e.getMessage()).contains("Python stage handlers.peek() failed", "PermissionError");
    }

    @Test
    void aStageNamingADirectoryTheJobDidNotAttach_failsTheJob_sayingSo() {
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(numbers(4)))
                .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("handlers", "tag").attachedDirectory("missing")))
                .writeTo(Sinks.noop());

        CompletionException e = catchThrowableOfType(CompletionException.class, () -> a.getJet().newJob(p).join());

        assertThat(e.getMessage()).contains("the job has no directory attached as 'missing'", "JobConfig.attachDirectory");
    }

    @Test
    void aBadStageConfig_isRefusedWithEveryProblemInOneMessage() {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> PyTransforms.mapUsingPythonBatch(PyStageConfig.of(" ", null).batchSize(0).timeout(Duration.ZERO)
                        .concurrentBatches(0).attachedDirectory("")));

        assertThat(e.getMessage()).contains("module must be a module name (Python identifiers joined by dots), was ' '",
                "function must be a function name (a Python identifier), was null",
                "batchSize must be from 1 to 100000, was 0", "timeout must be positive, was PT0S",
                "concurrentBatches must be 1 or 2, was 0", "attachedDirectory must be the id the directory was attached under, was ''");
    }

    @ParameterizedTest(name = "''{0}''")
    @MethodSource("namesThatAreNoModule")
    void aStageWhoseModuleNameIsNoModuleName_isRefusedBeforeTheJobIsSent(String module) {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> PyTransforms.mapUsingPythonBatch(PyStageConfig.of(module, "f")));

        assertThat(e.getMessage()).contains("module must be a module name (Python identifiers joined by dots)");
    }

    static Stream<String> namesThatAreNoModule() {
        return Stream.of("/etc/passwd", "../handlers", ".x", "a..b", "handlers.", "");
    }
}
