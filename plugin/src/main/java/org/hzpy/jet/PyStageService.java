package org.hzpy.jet;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.OverloadedException;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyConversionException;
import org.hzpy.PyException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A stage's way to the member's Python: one per member (a shared Jet service). Each batch is one
 * asynchronous call on the member's contexts, under its limits; a full limit is waited out and the
 * batch tried again (backpressure), never a failed job and never a blocked cooperative thread.
 */
final class PyStageService {
    private static final long FIRST_RETRY_MILLIS = 1;
    private static final long LONGEST_RETRY_MILLIS = 50;

    private final Py py;

    PyStageService(HazelcastInstance member) {
        this.py = Py.on(member);
    }

    <T, R> CompletableFuture<List<R>> mapBatch(PyStageConfig config, List<T> items) {
        CompletableFuture<List<R>> result = new CompletableFuture<>();
        attempt(config, new ArrayList<Object>(items), result, FIRST_RETRY_MILLIS);
        return result;
    }

    private <R> void attempt(PyStageConfig config, List<Object> items, CompletableFuture<List<R>> result, long backoff) {
        PyCall call = PyCall.of(config.module(), config.function(), (Object) items);
        if (config.timeout() != null) {
            call = call.timeout(config.timeout());
        }
        CompletableFuture<Object> running;
        try {
            running = py.callAsync(call).toCompletableFuture();
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        running.whenComplete((value, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof OverloadedException) { // backpressure: wait, then the same batch again
                long next = Math.min(backoff * 2, LONGEST_RETRY_MILLIS);
                CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS)
                        .execute(() -> attempt(config, items, result, next));
            } else if (cause != null) {
                result.completeExceptionally(cause instanceof PyException p ? new PyStageException(config, p) : cause);
            } else if (!(value instanceof List<?> list) || list.size() != items.size()) {
                result.completeExceptionally(new PyConversionException(config.module() + "." + config.function()
                        + "() must return a list of " + items.size() + " items, one per item of its batch; it returned "
                        + (value instanceof List<?> l ? "a list of " + l.size() : value == null ? "None" : value.getClass().getSimpleName())));
            } else {
                @SuppressWarnings("unchecked")
                List<R> mapped = (List<R>) list;
                result.complete(mapped);
            }
        });
    }
}
