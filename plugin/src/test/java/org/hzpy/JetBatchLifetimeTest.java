package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.test.TestSources;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;
import org.hzpy.runtime.CallStats;
import org.hzpy.support.Await;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A Python stage's batches live no longer than their job's execution and their stage's timeout
 * (the 2-member test cluster): a batch refused for a full limit is tried again only while both hold.
 */
@ExtendWith(Invariants.class)
class JetBatchLifetimeTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();

    /** Both members' limits set to 1 and held by a call that sleeps until cancelled; close() lets go. */
    private final class FullLimits implements AutoCloseable {
        private final List<Runnable> undo = new ArrayList<>();

        FullLimits() {
            for (HazelcastInstance member : List.of(a, b)) {
                Py py = TestMembers.py(member);
                int max = py.semaphore().maxConcurrent();
                py.semaphore().setMaxConcurrent(1);
                CompletableFuture<Object> sleeper = py.callAsync(PyCall.of("testmod", "sleep_then", 300, null)
                        .timeout(Duration.ofSeconds(330))).toCompletableFuture();
                undo.add(() -> {
                    sleeper.cancel(true);
                    py.semaphore().setMaxConcurrent(max);
                });
                assertThat(py.semaphore().current()).as("the sleeper's permit on " + member.getName()).isEqualTo(1);
            }
        }

        @Override
        public void close() {
            undo.forEach(Runnable::run);
        }
    }

    /** Attempts of Jet batches refused for want of a permit on either member so far (hzpy.jet.batches.refused; counted once meters are on). */
    private long refusedJetBatches() {
        long n = 0;
        for (HazelcastInstance member : List.of(a, b)) {
            CallStats stats = HzpyPlugin.runtimeOf(member).callStats();
            stats.enable();
            n += stats.jetRefusals();
        }
        return n;
    }

    @Test
    void aCancelledJob_triesNoBatchAgain_whileTheLimitStaysFull() {
        refusedJetBatches(); // counting on
        try (FullLimits full = new FullLimits()) {
            // Given a stream job whose batches are refused again and again
            Pipeline p = Pipeline.create();
            p.readFrom(TestSources.itemStream(200, (ts, seq) -> seq)).withoutTimestamps()
                    .apply(PyTransforms.<Long, Long>mapUsingPython(PyStageConfig.of("jetmod", "double_all").batchSize(4)
                            .timeout(Duration.ofMinutes(5))))
                    .writeTo(Sinks.noop());
            long before = refusedJetBatches();
            Job job = a.getJet().newJob(p);
            try {
                Await.until(Duration.ofSeconds(60), "batches of the job refused for want of a permit", () -> refusedJetBatches() > before + 10);
            } catch (AssertionError e) {
                job.cancel(); // a stream job would outlive the test and hold permits in the next ones
                throw e;
            }

            // When it is cancelled
            job.cancel();
            Await.until(Duration.ofSeconds(60), "the job cancelled", () -> job.getStatus() == JobStatus.FAILED);

            // Then its batches stop being tried: a whole second passes without one (retries come every 50 ms at most)
            Await.until(Duration.ofSeconds(30), "a second without a batch of the cancelled job", () -> {
                long seen = refusedJetBatches();
                try {
                    Thread.sleep(1_000); // the quiet window itself, not a synchronization
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return refusedJetBatches() == seen;
            });
        }
    }

    @Test
    void aCancelledJob_stopsItsBatchesStillInPython() {
        // Given a job whose batches sleep in Python for 90 s (its stage's timeout is longer)
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(List.of(1L, 2L, 3L, 4L)))
                .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("jetmod", "sleep_all").batchSize(2)
                        .timeout(Duration.ofSeconds(300))))
                .writeTo(Sinks.noop());
        Job job = a.getJet().newJob(p);
        Await.until(Duration.ofSeconds(60), "a batch of the job in Python",
                () -> TestMembers.py(a).semaphore().current() + TestMembers.py(b).semaphore().current() > 0);

        // When the job is cancelled
        job.cancel();

        // Then its batches stop long before their sleep would have ended: every permit is back
        Await.until(Duration.ofSeconds(30), "the permits of the cancelled job's batches back",
                () -> TestMembers.py(a).semaphore().current() + TestMembers.py(b).semaphore().current() == 0);
    }

    @Test
    void aStageThatGetsNoPermitWithinItsTimeout_failsTheJob_withTheOverloadError() throws Exception {
        try (FullLimits full = new FullLimits()) {
            // Given a job whose stage may wait 2 s for a permit, under limits that stay full
            Pipeline p = Pipeline.create();
            p.readFrom(TestSources.items(List.of(1L, 2L, 3L)))
                    .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("jetmod", "double_all")
                            .timeout(Duration.ofSeconds(2))))
                    .writeTo(Sinks.noop());

            // When it runs
            Job job = a.getJet().newJob(p);
            Throwable e = catchThrowable(() -> job.getFuture().get(90, TimeUnit.SECONDS));
            if (e instanceof TimeoutException) {
                job.cancel();
            }

            // Then it fails (it does not wait on), saying it found no permit and what would give one
            assertThat(e).isInstanceOf(ExecutionException.class);
            assertThat(e.getMessage()).contains("Python stage jetmod.double_all() found no free permit within its timeout of 2 s",
                    "OverloadedException", "Python is overloaded", "hzpy.max-concurrent");
        }
    }
}
