package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.IExecutorService;
import org.hzpy.PyException;
import org.hzpy.PyOutcome;
import org.hzpy.PyStream;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stream served by another member, seen from a client (or a member whose stream's key that
 * member owns): each pull is a {@link StreamPull} to that member on hzpy's executor, the close a
 * {@link StreamClose} on its control executor. The open's answer brought the first batch, which the
 * first pull hands out without a round trip. The member lost, the next pull fails with
 * {@link org.hzpy.PyUnavailableException} naming it. Thread-safe ({@link PyStream} pulls one at a
 * time; {@link #close()} may race a pull).
 */
final class RemoteStream implements PyStream.Source {
    private final IExecutorService executor;
    private final IExecutorService control;
    private final Member member;
    private final String where;
    private final String id;
    private final String what;
    private volatile PyStream.Batch first;
    /** The first pull's failure (it ran at the open), handed out by the first {@link #next}; or null. */
    private volatile PyException firstFailure;
    /** Set once the stream has ended at the member (exhausted, failed, closed): nothing more to send. */
    private final AtomicBoolean ended = new AtomicBoolean();

    RemoteStream(IExecutorService executor, IExecutorService control, Member member, String id, String what,
            PyStream.Batch first, PyException firstFailure) {
        this.executor = executor;
        this.control = control;
        this.member = member;
        this.where = member.getAddress().toString();
        this.id = id;
        this.what = what;
        this.first = first;
        this.firstFailure = firstFailure;
        if (first.done()) {
            ended.set(true);
        }
    }

    @Override
    public CompletionStage<PyStream.Batch> next(int max) {
        PyException failed = firstFailure;
        if (failed != null) {
            firstFailure = null;
            first = null;
            return CompletableFuture.failedFuture(failed);
        }
        PyStream.Batch b = first;
        if (b != null) {
            first = null;
            return CompletableFuture.completedFuture(b);
        }
        CompletableFuture<PyStream.Batch> result = new CompletableFuture<>();
        if (ended.get()) {
            result.completeExceptionally(unknown());
            return result;
        }
        try {
            executor.submitToMember(new StreamPull(id, max), member, new ExecutionCallback<PyOutcome>() {
                @Override
                public void onResponse(PyOutcome outcome) {
                    try {
                        PyStream.Batch batch = batchOf(outcome.get());
                        if (batch.done()) {
                            ended.set(true);
                        }
                        result.complete(batch);
                    } catch (PyException e) {
                        ended.set(true); // a failed pull ended the stream at the member
                        result.completeExceptionally(e);
                    }
                }

                @Override
                public void onFailure(Throwable t) {
                    ended.set(true);
                    result.completeExceptionally(RemoteRuntime.unavailable(t, where, describe()));
                }
            });
        } catch (RuntimeException e) {
            ended.set(true);
            result.completeExceptionally(RemoteRuntime.unavailable(e, where, describe()));
        }
        return result;
    }

    @Override
    public void close() {
        if (ended.compareAndSet(false, true)) {
            try {
                control.submitToMember(new StreamClose(id), member);
            } catch (RuntimeException e) {
                // the member is gone: so is the stream
            }
        }
    }

    @Override
    public String describe() {
        return what + " on member " + where;
    }

    /** A pull's answer, {@code [done, items]} ({@link StreamPull#answer}). */
    private PyStream.Batch batchOf(Object answer) {
        if (answer instanceof List<?> a && a.size() == 2 && a.get(0) instanceof Boolean done && a.get(1) instanceof List<?> items) {
            return new PyStream.Batch(new java.util.ArrayList<Object>(items), done);
        }
        throw new PyException(describe() + ": the member's answer to a pull is malformed: " + answer);
    }

    /**
     * An open's answer, {@code [id, done, items]} or {@code [id, done, items, failure]}
     * ({@link StreamOpen#answer}): the id, the first batch, and the first pull's failure or null.
     */
    static Object[] opened(Object answer, String what) {
        if (answer instanceof List<?> a && (a.size() == 3 || a.size() == 4 && a.get(3) instanceof PyOutcome)
                && a.get(0) instanceof String id && a.get(1) instanceof Boolean done && a.get(2) instanceof List<?> items) {
            PyException failure = a.size() == 4 ? ((PyOutcome) a.get(3)).error() : null;
            return new Object[] {id, new PyStream.Batch(new java.util.ArrayList<Object>(items), done), failure};
        }
        throw new PyException(what + ": the member's answer to an open is malformed: " + answer);
    }

    /** The one answer to an id that is not here: it does not tell a forged id from an ended one. */
    static org.hzpy.PyUnavailableException unknown() {
        return new org.hzpy.PyUnavailableException("no such stream: it ended or was never opened here");
    }
}
