package org.hzpy.jet;

import com.hazelcast.function.FunctionEx;
import com.hazelcast.jet.core.ProcessorSupplier;
import com.hazelcast.jet.impl.processor.AsyncTransformUsingServiceBatchedP;
import com.hazelcast.jet.pipeline.BatchStage;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.StreamStage;
import org.hzpy.jet.PyStageService.Shape;

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
 * stage. Items and results are any values hzpy converts. Each processor keeps
 * {@link PyStageConfig#concurrentBatches} batches in flight and emits results in order. A full
 * concurrency limit holds the stage back (the batch is tried again) instead of failing the job; a
 * Python exception fails the job with its type, message and traceback.
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
        return stage -> stage.<R>customTransform(name("map", c), processors(c, Shape.MAP));
    }

    /** Maps each item through Python on the member that owns its key (a partitioned, distributed edge). */
    public static <T, K, R> FunctionEx<BatchStage<T>, BatchStage<R>> mapUsingPythonBatch(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<R>customTransform(name("map", c), processors(c, Shape.MAP));
    }

    /** Keeps the items for which Python returns True. */
    public static <T> FunctionEx<BatchStage<T>, BatchStage<T>> filterUsingPythonBatch(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<T>customTransform(name("filter", c), processors(c, Shape.FILTER));
    }

    /** Filters on the member that owns each item's key. */
    public static <T, K> FunctionEx<BatchStage<T>, BatchStage<T>> filterUsingPythonBatch(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<T>customTransform(name("filter", c), processors(c, Shape.FILTER));
    }

    /** Emits, for each item, the items of the list Python returns for it. */
    public static <T, R> FunctionEx<BatchStage<T>, BatchStage<R>> flatMapUsingPythonBatch(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<R>customTransform(name("flatMap", c), processors(c, Shape.FLAT_MAP));
    }

    /** Flat-maps on the member that owns each item's key. */
    public static <T, K, R> FunctionEx<BatchStage<T>, BatchStage<R>> flatMapUsingPythonBatch(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<R>customTransform(name("flatMap", c), processors(c, Shape.FLAT_MAP));
    }

    // ------------------------------------------------------------------ stream stages

    /** Maps each item of a stream stage through Python; watermarks pass in order. */
    public static <T, R> FunctionEx<StreamStage<T>, StreamStage<R>> mapUsingPython(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<R>customTransform(name("map", c), processors(c, Shape.MAP));
    }

    /** Maps each item through Python on the member that owns its key. */
    public static <T, K, R> FunctionEx<StreamStage<T>, StreamStage<R>> mapUsingPython(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<R>customTransform(name("map", c), processors(c, Shape.MAP));
    }

    /** Keeps the items for which Python returns True. */
    public static <T> FunctionEx<StreamStage<T>, StreamStage<T>> filterUsingPython(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<T>customTransform(name("filter", c), processors(c, Shape.FILTER));
    }

    /** Filters on the member that owns each item's key. */
    public static <T, K> FunctionEx<StreamStage<T>, StreamStage<T>> filterUsingPython(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<T>customTransform(name("filter", c), processors(c, Shape.FILTER));
    }

    /** Emits, for each item, the items of the list Python returns for it. */
    public static <T, R> FunctionEx<StreamStage<T>, StreamStage<R>> flatMapUsingPython(PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.<R>customTransform(name("flatMap", c), processors(c, Shape.FLAT_MAP));
    }

    /** Flat-maps on the member that owns each item's key. */
    public static <T, K, R> FunctionEx<StreamStage<T>, StreamStage<R>> flatMapUsingPython(
            FunctionEx<? super T, ? extends K> keyFn, PyStageConfig config) {
        PyStageConfig c = config.validate();
        return stage -> stage.groupingKey(keyFn).<R>customTransform(name("flatMap", c), processors(c, Shape.FLAT_MAP));
    }

    // ------------------------------------------------------------------ the processors

    private static String name(String kind, PyStageConfig c) {
        return kind + "UsingPython(" + c.module() + "." + c.function() + ")";
    }

    /**
     * Jet's own batched asynchronous processor (what {@code mapUsingServiceAsyncBatched} uses), here
     * because it takes the number of batches in flight, which the public stage method fixes, and
     * emits a traverser, which filter and flat-map need. Cooperative: it never waits on Python.
     */
    private static <T, R> ProcessorSupplier processors(PyStageConfig c, Shape shape) {
        return AsyncTransformUsingServiceBatchedP.<PyStageService, PyStageService, T, R>supplier(service(c),
                c.concurrentBatches(), c.batchSize(), (service, items) -> service.<T, R>apply(items, shape));
    }

    private static ServiceFactory<PyStageService, PyStageService> service(PyStageConfig c) {
        return ServiceFactory.withCreateContextFn(jet -> PyStageService.open(c, jet))
                .withCreateServiceFn((processor, service) -> service)
                .withDestroyContextFn(PyStageService::close);
    }
}
