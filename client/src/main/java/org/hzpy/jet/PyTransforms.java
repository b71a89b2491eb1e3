package org.hzpy.jet;

import com.hazelcast.function.FunctionEx;
import com.hazelcast.jet.Traverser;
import com.hazelcast.jet.Traversers;
import com.hazelcast.jet.pipeline.BatchStage;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.StreamStage;
import org.hzpy.jet.PythonStage.Lane;
import org.hzpy.jet.PythonStage.Shape;

import java.util.List;

/**
 * Jet stages that call Python in the member's own runtime (its contexts, limits and settings):
 * no separate process, nothing to set up per job. Use with {@code stage.apply(...)}:
 *
 * <pre>
 * p.readFrom(source)
 *  .apply(PyTransforms.mapUsingPythonBatch(PyStageConfig.of("handlers", "score")))
 *  .writeTo(sink);
 * </pre>
 *
 * The handler gets a batch of items as a Python list and returns a list of the same length: the
 * results of a map stage (None emits nothing), booleans for a filter stage, lists for a flat-map
 * stage — or a flat-map handler yields: it returns a generator per item, or is itself a generator
 * (hzpy runs them to their end in the member). Items and results are any values hzpy converts. Each processor keeps
 * {@link PyStageConfig#concurrentBatches} batches in Python and emits results in order. Stream
 * stages take any stream, timestamped or not: each result keeps its item's timestamp and
 * watermarks pass in order. A full concurrency limit holds the stage back (the batch is tried
 * again, within the stage's timeout) instead of failing the job; a Python exception fails the job
 * with its type, message and traceback.
 *
 * <p>The stages are Jet's public {@code mapUsingServiceAsyncBatched} (a filter emits null for the
 * items it drops; a flat-map is followed by a {@code flatMap} over the lists); the stage's module
 * and function pass the members' remote policy when the job starts.
 *
 * <p>The keyed variants send each item to the member that owns its key's partition, so a source
 * read on one member (a file, a list, a socket) is worked on by the whole cluster.
 *
 * <p>The members need {@code jet: enabled: true}, and {@code resource-upload-enabled: true} for
 * handlers from a job's attached directory.
 */
public final class PyTransforms {
    private PyTransforms() {
    }

    // ------------------------------------------------------------------ batch stages

    /** Maps each item of a batch stage through Python. */
    public static <T, R> FunctionEx<BatchStage<T>, BatchStage<R>> mapUsingPythonBatch(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<Lane, R>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.MAP)).setName(name("map", c));
    }

    /** Maps each item through Python on the member that owns its key (a partitioned, distributed edge). */
    public static <T, K, R> FunctionEx<BatchStage<T>, BatchStage<R>> mapUsingPythonBatch(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<Lane, R>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.MAP)).setName(name("map", c));
    }

    /** Keeps the items for which Python returns True. */
    public static <T> FunctionEx<BatchStage<T>, BatchStage<T>> filterUsingPythonBatch(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<Lane, T>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.FILTER)).setName(name("filter", c));
    }

    /** Filters on the member that owns each item's key. */
    public static <T, K> FunctionEx<BatchStage<T>, BatchStage<T>> filterUsingPythonBatch(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<Lane, T>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.FILTER)).setName(name("filter", c));
    }

    /** Emits, for each item, the items of the list Python returns for it. */
    public static <T, R> FunctionEx<BatchStage<T>, BatchStage<R>> flatMapUsingPythonBatch(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<Lane, List<R>>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.FLAT_MAP)).setName(name("flatMap", c))
                .flatMap(PyTransforms::each).setName(name("flatMap", c) + "-items");
    }

    /** Flat-maps on the member that owns each item's key. */
    public static <T, K, R> FunctionEx<BatchStage<T>, BatchStage<R>> flatMapUsingPythonBatch(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<Lane, List<R>>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.FLAT_MAP)).setName(name("flatMap", c))
                .flatMap(PyTransforms::each).setName(name("flatMap", c) + "-items");
    }

    // ------------------------------------------------------------------ stream stages

    /** Maps each item of a stream stage through Python; results keep their items' timestamps. */
    public static <T, R> FunctionEx<StreamStage<T>, StreamStage<R>> mapUsingPython(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<Lane, R>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.MAP)).setName(name("map", c));
    }

    /** Maps each item through Python on the member that owns its key. */
    public static <T, K, R> FunctionEx<StreamStage<T>, StreamStage<R>> mapUsingPython(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<Lane, R>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.MAP)).setName(name("map", c));
    }

    /** Keeps the items for which Python returns True. */
    public static <T> FunctionEx<StreamStage<T>, StreamStage<T>> filterUsingPython(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<Lane, T>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.FILTER)).setName(name("filter", c));
    }

    /** Filters on the member that owns each item's key. */
    public static <T, K> FunctionEx<StreamStage<T>, StreamStage<T>> filterUsingPython(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<Lane, T>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.FILTER)).setName(name("filter", c));
    }

    /** Emits, for each item, the items of the list Python returns for it (each with the item's timestamp). */
    public static <T, R> FunctionEx<StreamStage<T>, StreamStage<R>> flatMapUsingPython(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<Lane, List<R>>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.FLAT_MAP)).setName(name("flatMap", c))
                .flatMap(PyTransforms::each).setName(name("flatMap", c) + "-items");
    }

    /** Flat-maps on the member that owns each item's key. */
    public static <T, K, R> FunctionEx<StreamStage<T>, StreamStage<R>> flatMapUsingPython(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<Lane, List<R>>mapUsingServiceAsyncBatched(service(c), c.batchSize(),
                (lane, items) -> lane.apply(items, Shape.FLAT_MAP)).setName(name("flatMap", c))
                .flatMap(PyTransforms::each).setName(name("flatMap", c) + "-items");
    }

    // ------------------------------------------------------------------ the service

    private static String name(String kind, PyStageConfig c) {
        return kind + "UsingPython(" + c.module() + "." + c.function() + ")";
    }

    /** A flat-map's list for one item, as Jet emits it (the member's stage already dropped its Nones). */
    private static <R> Traverser<R> each(List<R> items) {
        return Traversers.traverseIterable(items);
    }

    /**
     * One {@link PythonStage} per job execution and member, opened when it starts there (where
     * the remote policy is checked) and closed when it ends; one {@link Lane} per processor.
     */
    private static ServiceFactory<PythonStage, Lane> service(PyStageConfig c) {
        return ServiceFactory.withCreateContextFn(jet -> PythonStage.open(c, jet))
                .withCreateServiceFn((processor, stage) -> new Lane(stage))
                .withDestroyContextFn(PythonStage::close);
    }
}
