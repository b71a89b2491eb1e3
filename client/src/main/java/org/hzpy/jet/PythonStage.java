package org.hzpy.jet;

import com.hazelcast.jet.core.ProcessorSupplier;
import org.hzpy.cluster.TaskHandlers;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A Jet stage's Python on one member for one job execution: hzpy-plugin's {@code PyStageService}.
 * {@link PyTransforms}' service factory opens it through the member's {@link TaskHandlers}, so the
 * functions a client serializes with its pipeline reference no runtime. Not for users.
 * Implementations are thread-safe.
 */
public interface PythonStage {
    /**
     * On each member, when the job's execution starts there.
     *
     * @throws org.hzpy.PyUnavailableException if hzpy is not loaded on the member
     * @throws PyStageException if the member refuses the stage, naming the setting that would allow it
     */
    static PythonStage open(PyStageConfig config, ProcessorSupplier.Context jet) {
        return TaskHandlers.of(jet.hazelcastInstance()).openStage(config, jet);
    }

    /**
     * One batch through Python: a list of the same length as {@code items}, for Jet's batched stage —
     * the results (null emits nothing), each kept item or null for a filter, a list for a flat-map.
     */
    CompletableFuture<List<Object>> apply(List<?> items, Shape shape);

    /** The batches of one processor that may be in Python at once ({@link PyStageConfig#concurrentBatches}). */
    int concurrentBatches();

    /** When the job's execution ends on this member: no batch of it runs any more. */
    void close();

    /** What a stage does with a batch's results. */
    enum Shape {
        MAP("results"), FILTER("booleans"), FLAT_MAP("lists");

        private final String results;

        Shape(String results) {
            this.results = results;
        }

        /** What the handler must return one of per item, for messages. */
        public String results() {
            return results;
        }
    }

    /**
     * One processor's way in (Jet makes one per processor): its batches go to Python
     * {@link PyStageConfig#concurrentBatches} at a time. Jet hands a processor's batches over
     * one at a time from that processor's thread, at most 2 of them unfinished. Not thread-safe:
     * one processor's.
     */
    final class Lane {
        private final PythonStage stage;
        /** With one batch at a time, the batch before: the next goes to Python once it has ended. */
        private CompletableFuture<?> previous = CompletableFuture.completedFuture(null);

        Lane(PythonStage stage) {
            this.stage = stage;
        }

        @SuppressWarnings("unchecked")
        <T, R> CompletableFuture<List<R>> apply(List<T> items, Shape shape) {
            if (stage.concurrentBatches() > 1) {
                return (CompletableFuture<List<R>>) (CompletableFuture<?>) stage.apply(items, shape);
            }
            CompletableFuture<List<Object>> next = previous.handle((v, e) -> null).thenCompose(ended -> stage.apply(items, shape));
            previous = next;
            return (CompletableFuture<List<R>>) (CompletableFuture<?>) next;
        }
    }
}
