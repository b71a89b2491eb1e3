package org.hzpy.jet;

import com.hazelcast.function.FunctionEx;
import com.hazelcast.jet.pipeline.BatchStage;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.ServiceFactory;

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
 * The handler gets a batch of items as a Python list and returns a list of the same length; items
 * and results are any values hzpy converts. Jet keeps a few batches in flight per processor. A full concurrency limit holds the stage back (the
 * batch is tried again) instead of failing the job; a Python exception fails the job with its
 * type, message and traceback.
 */
public final class PyTransforms {
    private PyTransforms() {
    }

    /** Maps each item of a batch stage through Python, a batch of items per call. */
    public static <T, R> FunctionEx<BatchStage<T>, BatchStage<R>> mapUsingPythonBatch(PyStageConfig config) {
        PyStageConfig checked = config.validate();
        return stage -> stage.<PyStageService, R>mapUsingServiceAsyncBatched(service(), checked.batchSize(),
                (service, items) -> service.mapBatch(checked, items))
                .setName("mapUsingPython(" + checked.module() + "." + checked.function() + ")");
    }

    private static ServiceFactory<?, PyStageService> service() {
        return ServiceFactories.sharedService(ctx -> new PyStageService(ctx.hazelcastInstance()));
    }
}
