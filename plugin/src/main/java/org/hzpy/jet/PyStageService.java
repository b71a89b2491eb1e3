package org.hzpy.jet;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.core.ProcessorSupplier;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.OverloadedException;
import org.hzpy.PyCancelledException;
import org.hzpy.PyConversionException;
import org.hzpy.PyException;
import org.hzpy.PySandboxException;
import org.hzpy.cluster.MemberParts;
import org.hzpy.runtime.CallStats;
import org.hzpy.runtime.PythonRuntime;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Python stage's way to the member's Python, one per job execution and member (a Jet service
 * context). Each batch is one asynchronous call on the member's contexts, under its limits. A full
 * limit is waited out in the member's line of waiting batches (backpressure: a permit freed on the
 * member goes to the batch that waited longest, before any later call), never on a blocked
 * cooperative thread — but no longer than the stage's timeout, and never after the execution
 * ended: {@link #close()} takes its batches out of the line and stops those still in Python. With an attached directory, the job's modules
 * live in a module scope of their own, closed with the service. Public only for the member's
 * {@code TaskHandlers} (hzpy-client's {@link PyTransforms} open it through them). Thread-safe.
 */
public final class PyStageService implements PythonStage {
    private static final ILogger LOGGER = Logger.getLogger(PyStageService.class);
    /** Runs a flat-map handler and the generators it yields (hzpy's own Python, not the job's). */
    private static final String FLAT_MAP_RUNNER = "_hzpy_internal.streams";

    private final PyStageConfig config;
    private final PythonRuntime runtime;
    /** The module scope of the job's attached directory; null: the member's module path. */
    private final String scope;
    private final String module;
    /** How long a batch may wait for a permit: the stage's timeout (the member's call timeout by default). */
    private final long permitWaitNanos;
    /** The batches in Python now: what {@link #close()} stops. */
    private final Set<CompletableFuture<Object>> inPython = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private PyStageService(PyStageConfig config, PythonRuntime runtime, String scope) {
        this.config = config;
        this.runtime = runtime;
        this.scope = scope;
        this.module = scope == null ? config.module() : scope + "." + config.module();
        this.permitWaitNanos = runtime.timeoutNanosOf(config.timeout());
    }

    /**
     * On each member, when the job's execution starts there. The stage's module and function pass
     * the member's remote policy, as a client's call would (the job comes from outside the member);
     * a handler from the job's attached directory is the job's own code, allowed where the member
     * allows job resource upload.
     *
     * @throws PyStageException if the member refuses the stage, naming the setting that would allow it
     */
    public static PyStageService open(PyStageConfig config, ProcessorSupplier.Context jet) {
        config.validate(); // again: the configuration comes from whoever submitted the job
        HazelcastInstance member = jet.hazelcastInstance();
        PythonRuntime runtime = MemberParts.runtimeOf(member);
        if (config.attachedDirectory() == null) {
            refuseUnlessAllowed(config, () -> MemberParts.checkRemoteCall(member, config.module(), config.function()));
            return new PyStageService(config, runtime, null);
        }
        refuseUnlessAllowed(config, () -> {
            if (!member.getConfig().getJetConfig().isResourceUploadEnabled()) {
                throw new PySandboxException("handlers from a job's attached directory need jet: resource-upload-enabled: true"
                        + " in the member's hazelcast.yaml (it lets jobs ship code, Java classes too)");
            }
            MemberParts.checkJobCodeCall(member, config.module(), config.function());
        });
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

    private static void refuseUnlessAllowed(PyStageConfig config, Runnable check) {
        try {
            check.run();
        } catch (PySandboxException e) {
            throw new PyStageException(config, "refused by the member", e);
        }
    }

    /**
     * When the job's execution ends on this member (completed, failed, cancelled, restarting): no
     * batch of it is tried again, its batches in Python are cancelled (stopped at once, or in SHARED
     * mode once no other call shares their context, at the latest at their timeout), its modules
     * leave every context.
     */
    @Override
    public int concurrentBatches() {
        return config.concurrentBatches();
    }

    @Override
    public void close() {
        closed = true;
        for (CompletableFuture<Object> running : inPython) {
            running.cancel(true);
        }
        if (scope != null) {
            runtime.closeModuleScope(scope);
        }
    }

    /**
     * One batch through Python: a list of the same length as {@code items}, for Jet's batched stage —
     * the results (null emits nothing), each kept item or null for a filter, a list for a flat-map.
     * A full limit is waited out in the member's line (backpressure, first come first served) for
     * at most the stage's timeout.
     */
    @Override
    public CompletableFuture<List<Object>> apply(List<?> items, Shape shape) {
        CompletableFuture<List<Object>> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new PyCancelledException(config.stage() + ": the job's execution ended"));
            return result;
        }
        List<Object> batch = new ArrayList<>(items);
        Duration permitWait = Duration.ofNanos(permitWaitNanos);
        Runnable refused = refusalCounter(batch.size());
        CompletableFuture<Object> running;
        try {
            running = shape == Shape.FLAT_MAP // its handler may yield: Python runs the generators to their end
                    ? runtime.callAsync(CallStats.Origin.JET, FLAT_MAP_RUNNER, "flat_map_batch",
                            new Object[] {module, config.function(), batch}, null, config.timeout(), permitWait, refused)
                    : runtime.callAsync(CallStats.Origin.JET, module, config.function(), new Object[] {batch}, null,
                            config.timeout(), permitWait, refused);
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Object> call = running;
        if (!call.isDone()) {
            inPython.add(call);
            if (closed) { // closed while it started: close() may not have seen it
                call.cancel(true);
            }
        }
        call.whenComplete((value, error) -> {
            inPython.remove(call);
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof OverloadedException overloaded) {
                result.completeExceptionally(new PyStageException(config, "found no free permit within its timeout of "
                        + describe(permitWait) + ": raise hzpy.max-concurrent (or hzpy.cluster-max-concurrent)"
                        + " in the members' hazelcast.yaml, run less at once, or give the stage a longer PyStageConfig.timeout",
                        overloaded));
            } else if (cause != null) {
                result.completeExceptionally(closed && cause instanceof java.util.concurrent.CancellationException
                        ? new PyCancelledException(config.stage() + ": the job's execution ended")
                        : cause instanceof PyException p ? new PyStageException(config, p) : cause);
            } else {
                try {
                    result.complete(perItem(batch, value, shape));
                } catch (PyConversionException e) {
                    result.completeExceptionally(e);
                }
            }
        });
        return result;
    }

    /** What a refusal of a batch's permit does: counted (hzpy.jet.batches.refused), and logged (FINE) when the batch begins to wait. */
    private Runnable refusalCounter(int size) {
        java.util.concurrent.atomic.AtomicBoolean waiting = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            runtime.callStats().jetBatchRefused();
            if (!waiting.getAndSet(true) && LOGGER.isFineEnabled()) { // the backpressure, seen (a refusal is no failure)
                LOGGER.fine(config.stage() + ": a batch of " + size + " items found no free permit; it waits in the member's"
                        + " line for one, at most " + describe(Duration.ofNanos(permitWaitNanos)));
            }
        };
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * What Jet's batched stage takes: one entry per item. Python's None emits nothing (Jet's own
     * rule for null); a filter's False becomes null; a flat-map's lists lose their Nones.
     */
    private List<Object> perItem(List<Object> items, Object value, Shape shape) {
        if (!(value instanceof List<?> results) || results.size() != items.size()) {
            throw wrongResult(items.size(), value, shape, null);
        }
        if (shape == Shape.MAP) {
            @SuppressWarnings("unchecked") // a list hzpy's conversions just made: nobody else holds it
            List<Object> mapped = (List<Object>) results;
            return mapped;
        }
        List<Object> out = new ArrayList<>(items.size());
        for (int i = 0; i < results.size(); i++) {
            Object r = results.get(i);
            switch (shape) {
                case FILTER -> {
                    if (!(r instanceof Boolean keep)) {
                        throw wrongResult(items.size(), value, shape, itemIs(i, r));
                    }
                    out.add(keep ? items.get(i) : null);
                }
                case FLAT_MAP -> {
                    if (!(r instanceof List<?> many)) {
                        throw wrongResult(items.size(), value, shape, itemIs(i, r));
                    }
                    List<Object> some = new ArrayList<>(many.size());
                    for (Object o : many) {
                        if (o != null) {
                            some.add(o);
                        }
                    }
                    out.add(some);
                }
                default -> throw new AssertionError(shape);
            }
        }
        return out;
    }

    private static String itemIs(int i, Object r) {
        return "item " + i + " is " + (r == null ? "None" : r.getClass().getSimpleName());
    }

    private PyConversionException wrongResult(int expected, Object value, Shape shape, String detail) {
        return new PyConversionException(config.module() + "." + config.function() + "() must return a list of " + expected
                + " " + shape.results() + ", one per item of its batch; it returned "
                + (detail != null ? "a list in which " + detail
                : value instanceof List<?> l ? "a list of " + l.size() : value == null ? "None" : value.getClass().getSimpleName()));
    }
}
