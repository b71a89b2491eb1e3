package org.hzpy.jet;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Traverser;
import com.hazelcast.jet.Traversers;
import com.hazelcast.jet.core.ProcessorSupplier;
import org.hzpy.OverloadedException;
import org.hzpy.PyConversionException;
import org.hzpy.PyException;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.runtime.CallStats;
import org.hzpy.runtime.PythonRuntime;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A Python stage's way to the member's Python, one per job and member (a Jet service context).
 * Each batch is one asynchronous call on the member's contexts, under its limits; a full limit is
 * waited out and the batch tried again (backpressure), never a failed job and never a blocked
 * cooperative thread. With an attached directory, the job's modules live in a module scope of
 * their own, closed when the job ends on this member. Thread-safe.
 */
final class PyStageService {
    private static final long FIRST_RETRY_MILLIS = 1;
    private static final long LONGEST_RETRY_MILLIS = 50;

    /** What a stage does with a batch's results. */
    enum Shape {
        MAP("results"), FILTER("booleans"), FLAT_MAP("lists");

        private final String results;

        Shape(String results) {
            this.results = results;
        }
    }

    private final PyStageConfig config;
    private final PythonRuntime runtime;
    /** The module scope of the job's attached directory; null: the member's module path. */
    private final String scope;
    private final String module;

    private PyStageService(PyStageConfig config, PythonRuntime runtime, String scope) {
        this.config = config;
        this.runtime = runtime;
        this.scope = scope;
        this.module = scope == null ? config.module() : scope + "." + config.module();
    }

    /** On each member, when the job starts there. */
    static PyStageService open(PyStageConfig config, ProcessorSupplier.Context jet) {
        HazelcastInstance member = jet.hazelcastInstance();
        PythonRuntime runtime = HzpyPlugin.runtimeOf(member);
        if (config.attachedDirectory() == null) {
            return new PyStageService(config, runtime, null);
        }
        File directory;
        try {
            directory = jet.attachedDirectory(config.attachedDirectory());
        } catch (RuntimeException e) {
            throw new PyException(config.stage() + ": the job has no directory attached as '"
                    + config.attachedDirectory() + "' (JobConfig.attachDirectory(path, \"" + config.attachedDirectory() + "\")): "
                    + e.getMessage());
        }
        Path dir = directory.toPath();
        String top = config.module().split("\\.", 2)[0];
        if (!Files.isRegularFile(dir.resolve(top + ".py")) && !Files.isDirectory(dir.resolve(top))) {
            throw new PyException(config.stage() + ": the directory attached as '"
                    + config.attachedDirectory() + "' has no module " + top + " (" + top + ".py or a package " + top + "/)");
        }
        return new PyStageService(config, runtime, runtime.openModuleScope(dir));
    }

    /** When the job ends on this member: its modules leave every context. */
    void close() {
        if (scope != null) {
            runtime.closeModuleScope(scope);
        }
    }

    <T, R> CompletableFuture<Traverser<R>> apply(List<T> items, Shape shape) {
        CompletableFuture<Traverser<R>> result = new CompletableFuture<>();
        attempt(new ArrayList<Object>(items), shape, result, FIRST_RETRY_MILLIS);
        return result;
    }

    private <R> void attempt(List<Object> items, Shape shape, CompletableFuture<Traverser<R>> result, long backoff) {
        CompletableFuture<Object> running;
        try {
            running = runtime.callAsync(CallStats.Origin.JET, module, config.function(), new Object[] {items}, null, config.timeout());
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        running.whenComplete((value, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof OverloadedException) { // backpressure: wait, then the same batch again
                long next = Math.min(backoff * 2, LONGEST_RETRY_MILLIS);
                CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS)
                        .execute(() -> attempt(items, shape, result, next));
            } else if (cause != null) {
                result.completeExceptionally(cause instanceof PyException p ? new PyStageException(config, p) : cause);
            } else {
                try {
                    result.complete(Traversers.traverseIterable(this.<R>emitted(items, value, shape)));
                } catch (PyConversionException e) {
                    result.completeExceptionally(e);
                }
            }
        });
    }

    /** The items a batch's results let through; Python's None emits nothing (Jet's own rule for null). */
    @SuppressWarnings("unchecked")
    private <R> List<R> emitted(List<Object> items, Object value, Shape shape) {
        if (!(value instanceof List<?> results) || results.size() != items.size()) {
            throw wrongResult(items.size(), value, shape, null);
        }
        List<Object> out = new ArrayList<>(shape == Shape.FLAT_MAP ? items.size() * 2 : items.size());
        for (int i = 0; i < results.size(); i++) {
            Object r = results.get(i);
            switch (shape) {
                case MAP -> {
                    if (r != null) {
                        out.add(r);
                    }
                }
                case FILTER -> {
                    if (!(r instanceof Boolean keep)) {
                        throw wrongResult(items.size(), value, shape, itemIs(i, r));
                    }
                    if (keep) {
                        out.add(items.get(i));
                    }
                }
                case FLAT_MAP -> {
                    if (!(r instanceof List<?> many)) {
                        throw wrongResult(items.size(), value, shape, itemIs(i, r));
                    }
                    for (Object o : many) {
                        if (o != null) {
                            out.add(o);
                        }
                    }
                }
                default -> throw new AssertionError(shape);
            }
        }
        return (List<R>) out;
    }

    private static String itemIs(int i, Object r) {
        return "item " + i + " is " + (r == null ? "None" : r.getClass().getSimpleName());
    }

    private PyConversionException wrongResult(int expected, Object value, Shape shape, String detail) {
        return new PyConversionException(config.module() + "." + config.function() + "() must return a list of " + expected
                + " " + shape.results + ", one per item of its batch; it returned "
                + (detail != null ? "a list in which " + detail
                : value instanceof List<?> l ? "a list of " + l.size() : value == null ? "None" : value.getClass().getSimpleName()));
    }
}
