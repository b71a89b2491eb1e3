package org.hzpy.cluster;

import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PySandboxException;
import org.hzpy.PyStream;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The streams this member serves to callers elsewhere (clients, other members), by a random id
 * that only the opener learns: id → the runtime's {@link PyStream.Source}, its owner (the caller's
 * UUID, as call ids carry it) and a pull under way. A pull or close names the id; an id that is
 * unknown — the stream ended, or was never opened here — is a typed failure, and says nothing else.
 * A stream ends here when it is exhausted, fails, is closed, when its owner leaves
 * ({@link #closeStreamsOf}, from {@link RunningCalls#cancelCallsOf}), or when the member shuts down
 * (its runtime ends them; {@link #forgetAll}); one left unused for {@link #FORGET_AFTER} is closed and dropped (its source
 * closed itself long before, at the runtime's idle timeout). Thread-safe.
 */
final class RemoteStreams {
    /**
     * Unused this long (or twice the runtime's idle timeout, if longer), an entry is dropped: by then
     * its source closed itself, so only dead entries go.
     */
    static final Duration FORGET_AFTER = Duration.ofMinutes(10);
    /** Beyond a pull's own bound (the call's timeout), how long its answer is waited for. */
    private static final Duration ANSWER_MARGIN = Duration.ofSeconds(30);
    private static final SecureRandom IDS = new SecureRandom();

    private final Map<String, Entry> streams = new ConcurrentHashMap<>();
    private volatile long lastSweep = System.nanoTime();

    /** One open stream. Its source is pulled by one thread at a time ({@link #pulling}). */
    private static final class Entry {
        final PyStream.Source source;
        final String owner;
        final Duration pullBound;
        final long forgetAfterNanos;
        final AtomicBoolean pulling = new AtomicBoolean();
        volatile long lastUsed = System.nanoTime();

        Entry(PyStream.Source source, String owner, Duration pullBound, Duration idleTimeout) {
            this.source = source;
            this.owner = owner;
            this.pullBound = pullBound;
            Duration twice = idleTimeout.multipliedBy(2);
            this.forgetAfterNanos = (twice.compareTo(FORGET_AFTER) > 0 ? twice : FORGET_AFTER).toNanos();
        }
    }

    /**
     * Keeps {@code source} under a new random id (128 bits: not guessable) and returns the id.
     *
     * @param owner     the caller's UUID (its streams end when it leaves), or null
     * @param pullBound   how long one pull may take at the source (the call's timeout)
     * @param idleTimeout the runtime's {@code hzpy.stream-idle-timeout}: the source ends itself after it
     */
    String register(PyStream.Source source, String owner, Duration pullBound, Duration idleTimeout) {
        sweep();
        byte[] random = new byte[16];
        IDS.nextBytes(random);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        streams.put(id, new Entry(source, owner, pullBound, idleTimeout));
        return id;
    }

    /**
     * The next at most {@code n} items of stream {@code id}, waiting for them at most the stream's pull
     * bound (plus a margin). A batch that is done, or a failed pull, ends the stream here.
     *
     * @throws PyUnavailableException no such stream here (it ended, or was never opened here)
     * @throws PySandboxException     {@code n} is not 1 to {@link PyStream#MAX_BATCH_SIZE}, or a pull of it is under way
     * @throws PyException            the pull's own failure (the Python error, a timeout)
     */
    PyStream.Batch pull(String id, int n) {
        Entry e = id == null ? null : streams.get(id);
        if (e == null) {
            throw unknown();
        }
        if (n < 1 || n > PyStream.MAX_BATCH_SIZE) {
            throw new PySandboxException("a pull of " + n + " items was refused by the member: a pull asks for 1 to "
                    + PyStream.MAX_BATCH_SIZE);
        }
        if (!e.pulling.compareAndSet(false, true)) {
            throw new PySandboxException("a pull was refused by the member: another pull of this stream is under way");
        }
        boolean ended = true;
        try {
            e.lastUsed = System.nanoTime();
            Duration wait = e.pullBound.plus(ANSWER_MARGIN);
            PyStream.Batch batch = e.source.next(n).toCompletableFuture().get(wait.toNanos(), TimeUnit.NANOSECONDS);
            ended = batch.done();
            return batch;
        } catch (ExecutionException x) {
            Throwable cause = PyTask.unwrapped(x);
            throw cause instanceof PyException p ? p : new PyException(e.source.describe() + ": " + cause, cause);
        } catch (TimeoutException x) {
            throw new PyTimeoutException(e.source.describe() + ": a pull gave no answer within "
                    + e.pullBound.plus(ANSWER_MARGIN).toMillis() + " ms");
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            throw new PyCancelledException(e.source.describe() + ": the member stopped the pull");
        } catch (RuntimeException x) {
            throw x;
        } finally {
            e.lastUsed = System.nanoTime();
            e.pulling.set(false);
            if (ended) {
                end(id);
            }
        }
    }

    /** Ends stream {@code id} (its source closed, its generator's {@code finally} run); false if there is no such stream. */
    boolean close(String id) {
        return id != null && end(id);
    }

    private boolean end(String id) {
        Entry e = streams.remove(id);
        if (e == null) {
            return false;
        }
        e.source.close();
        return true;
    }

    /**
     * Ends every stream of {@code caller} (a client or member UUID that left).
     *
     * @return how many ended
     */
    int closeStreamsOf(String caller) {
        List<String> ids = new ArrayList<>();
        streams.forEach((id, e) -> {
            if (caller.equals(e.owner)) {
                ids.add(id);
            }
        });
        int closed = 0;
        for (String id : ids) {
            closed += end(id) ? 1 : 0;
        }
        return closed;
    }

    /**
     * Forgets every stream: the member shuts down, and its runtime, closing next, ends its streams
     * itself within its shutdown budget (closing them here, one after another, could hold the
     * shutdown up to a call's timeout each).
     */
    void forgetAll() {
        streams.clear();
    }

    /** How many streams are open here. */
    int size() {
        return streams.size();
    }

    /** Drops (and closes) entries unused for their forget-after time; at most once a minute, on an opener's thread. */
    private void sweep() {
        long now = System.nanoTime();
        if (now - lastSweep < TimeUnit.MINUTES.toNanos(1)) {
            return;
        }
        lastSweep = now;
        streams.forEach((id, e) -> {
            if (!e.pulling.get() && now - e.lastUsed > e.forgetAfterNanos) {
                end(id);
            }
        });
    }

    /** The one answer to an id that is not here: it does not tell a forged id from an ended one. */
    static PyUnavailableException unknown() {
        return RemoteStream.unknown();
    }
}
