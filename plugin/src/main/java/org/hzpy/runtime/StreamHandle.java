package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.PyStream;
import org.hzpy.PyUnavailableException;
import org.hzpy.PythonException;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One member-local stream: the context it started in, its id in that context's Python registry,
 * and the permit it holds until it ends. A pull enters exactly that context (a restarted, retired
 * or abandoned one fails the pull with {@link PyUnavailableException}) without another permit, on
 * one of hzpy's call threads (inline when the caller is inside that context already), as a frame
 * bounded by the call's timeout. It ends once — exhausted, failed, closed, idle, its context gone,
 * the runtime closed — and then gives its permit back; closing runs the generator's
 * {@code close()} in its context. Thread-safe: {@link #close()} may race a pull.
 */
final class StreamHandle implements PyStream.Source {
    private static final ILogger LOGGER = Logger.getLogger(StreamHandle.class);

    final long key;
    final long timeoutNanos;
    private final Streams streams;
    private final PythonContext context;
    private final long id;
    private final String module;
    private final String function;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** What a pull after the end says (null: the stream was closed or exhausted, nothing to say). */
    private volatile Supplier<RuntimeException> endedBecause;
    private volatile long lastActive = System.nanoTime();
    private volatile boolean pulling;
    /** The pull under way on a call thread, cancelled by a close. */
    private volatile AsyncCall<?> inFlight;

    StreamHandle(Streams streams, long key, PythonContext context, long id, String module, String function, long timeoutNanos) {
        this.streams = streams;
        this.key = key;
        this.context = context;
        this.id = id;
        this.module = module;
        this.function = function;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public String describe() {
        return module + "." + function + "() streaming on " + streams.env.name();
    }

    // ------------------------------------------------------------------ pulls

    @Override
    public CompletionStage<PyStream.Batch> next(int max) {
        PyStream.checkBatchSize(max);
        if (ended.get()) {
            Supplier<RuntimeException> why = endedBecause;
            return CompletableFuture.failedFuture(why != null ? why.get()
                    : new PyUnavailableException(describe() + ": the stream has ended"));
        }
        pulling = true;
        lastActive = System.nanoTime();
        if (streams.env.router().threadState().current == context) { // inside its context already: entering elsewhere would wait for ourselves
            try {
                return CompletableFuture.completedFuture(pullHere(max, null, null));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        AsyncCall<PyStream.Batch>[] self = new AsyncCall[1];
        AsyncCall<PyStream.Batch> call = new AsyncCall<>(() -> bound(() -> pullHere(max, self[0], self[0].stop)),
                streams.env.limiter(), false, new StopToken());
        self[0] = call;
        inFlight = call;
        streams.env.threads().submit(call);
        return call;
    }

    /**
     * The iterator's pull: on the calling thread when it is in no context (it waits anyway; the
     * hand-off to a call thread cost most of a small pull), else as {@link #next}.
     */
    @Override
    public CompletionStage<PyStream.Batch> nextWaiting(int max) {
        if (ended.get() || streams.env.router().threadState().current != null) {
            return next(max);
        }
        PyStream.checkBatchSize(max);
        pulling = true;
        lastActive = System.nanoTime();
        try {
            return CompletableFuture.completedFuture(bound(() -> pullHere(max, null, null)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** One pull, in the stream's context, on this thread. */
    @SuppressWarnings("unchecked")
    private PyStream.Batch pullHere(int max, AsyncCall<?> control, StopToken stop) {
        long start = System.nanoTime();
        try {
            throwIfGone();
            Object pulled = new Invocation<Object>(streams.env, module, function, start, timeoutNanos, (w, frame) -> {
                if (w != context) {
                    throw gone();
                }
                Supplier<RuntimeException> why = endedBecause;
                if (why != null) { // ended (idle, shutdown) while this pull waited for the context
                    throw why.get();
                }
                return w.streamBatch(frame, id, max);
            }).callHeld(control, stop);
            // an async generator's batch runs on the event loop: awaited here, with the context free
            List<?> answer = (List<?>) (pulled instanceof PendingCoroutine p ? p.await(stop) : pulled);
            streams.countPull();
            boolean done = Boolean.TRUE.equals(answer.get(1));
            if (done) {
                end(null);
            }
            return new PyStream.Batch((List<Object>) answer.get(0), done);
        } catch (RuntimeException e) {
            RuntimeException failure = contextGone() && !(e instanceof PythonException) ? gone() : e;
            // a Python error ended the generator and left the registry; a timeout or cancel may have left it there
            if (end(null) && !(e instanceof PythonException)) {
                closeInPythonLater();
            }
            throw failure;
        } finally {
            pulling = false;
            inFlight = null;
            lastActive = System.nanoTime();
        }
    }

    // ------------------------------------------------------------------ ending

    /** Closes the generator in its context (its finally runs, once), waiting at most the call's timeout; idempotent. */
    @Override
    public void close() {
        if (!end(null)) {
            return;
        }
        AsyncCall<?> pull = inFlight;
        if (pull != null) {
            pull.cancel(true); // the close then enters the context as soon as the pull has left it
        }
        closeInPython(timeoutNanos, true);
    }

    /** The sweep: ends the stream if it went without a pull for the idle timeout, or its context is gone. */
    void endIfIdleOrGone(long now) {
        if (contextGone()) {
            if (end(this::gone)) {
                LOGGER.fine("hzpy: " + describe() + " ended: its context is gone");
            }
        } else if (!pulling && now - lastActive - streams.idleNanos > 0
                && end(() -> streams.idleTimeout(describe()))) {
            closeInPythonLater();
        }
    }

    /** The runtime closes: ends the stream and closes its generator within {@code budgetNanos} (0: not at all). */
    void endForShutdown(long budgetNanos) {
        if (end(() -> new PyUnavailableException(describe() + ": the hzpy runtime of " + streams.env.name() + " was closed"))) {
            AsyncCall<?> pull = inFlight;
            if (pull != null) {
                pull.cancel(true);
            }
            if (budgetNanos > 0) {
                closeInPython(budgetNanos, true);
            }
        }
    }

    /** Marks the stream ended, once: the permit goes back and it is no longer open. True for the call that ended it. */
    private boolean end(Supplier<RuntimeException> why) {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        endedBecause = why;
        streams.env.limiter().release();
        streams.forget(this);
        return true;
    }

    private void closeInPythonLater() {
        closeInPython(timeoutNanos, false);
    }

    /** Runs the generator's close in its context, bounded by {@code timeoutNanos}; failures are logged, never thrown. */
    private void closeInPython(long timeoutNanos, boolean wait) {
        if (contextGone()) {
            return; // its generator went with it
        }
        if (streams.env.router().threadState().current == context) {
            runClose(timeoutNanos, null, null);
            return;
        }
        AsyncCall<Void>[] self = new AsyncCall[1];
        AsyncCall<Void> call = new AsyncCall<>(() -> bound(() -> runClose(timeoutNanos, self[0], self[0].stop)),
                streams.env.limiter(), false, new StopToken());
        self[0] = call;
        streams.env.threads().submit(call);
        if (!wait) {
            return;
        }
        try {
            call.get(Timeouts.saturatedAdd(timeoutNanos, Timeouts.HAND_OFF_SLACK.toNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // logged by runClose, or it goes on in the background
        }
    }

    private Void runClose(long timeoutNanos, AsyncCall<?> control, StopToken stop) {
        try {
            new Invocation<Void>(streams.env, module, function, System.nanoTime(), timeoutNanos, (w, frame) -> {
                if (w == context) {
                    w.closeStream(id);
                }
                return null;
            }).callHeld(control, stop);
        } catch (RuntimeException e) {
            LOGGER.warning("hzpy: closing " + describe() + " failed: " + e.getMessage());
        }
        return null;
    }

    // ------------------------------------------------------------------ the stream's context

    /** Runs {@code body} on this (hzpy call) thread bound to the stream's context. */
    private <T> T bound(Supplier<T> body) {
        Router.ThreadState ts = streams.env.router().threadState();
        WeakReference<PythonContext> before = ts.bound;
        ts.bound = new WeakReference<>(context);
        try {
            return body.get();
        } finally {
            ts.bound = before;
        }
    }

    private boolean contextGone() {
        return context.isClosed() || context.isRetired() || streams.env.closed().getAsBoolean();
    }

    private void throwIfGone() {
        if (contextGone()) {
            throw gone();
        }
    }

    private PyUnavailableException gone() {
        if (streams.env.closed().getAsBoolean()) {
            return new PyUnavailableException(describe() + ": the hzpy runtime of " + streams.env.name() + " is closed");
        }
        return new PyUnavailableException(describe() + ": its Python context (" + context.index
                + ") was restarted, retired or abandoned since the stream started, and its generator with it");
    }
}
