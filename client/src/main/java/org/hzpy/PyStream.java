package org.hzpy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The items a Python generator (or async generator, or any iterable) yields, pulled a batch at a
 * time as they are consumed: {@code Py.stream(PyCall)} on a member or a client. The generator
 * advances only when the consumer has used up the batch before: it runs at most one batch ahead,
 * so an endless generator is fine and a consumer that stops reading stops it. Between pulls the
 * stream holds no context (other calls run there), but it holds one permit of the member's limit
 * (and the cluster's) until it ends.
 *
 * <p>It ends when it is exhausted, on {@link #close()}, when its subscription is cancelled, or after
 * {@code hzpy.stream-idle-timeout} without a pull; the generator is then closed (its {@code finally}
 * runs, once). A Python error arrives on the pull that reaches it, after the items before it, as the
 * usual typed {@link PyException}; the stream has then ended.
 *
 * <p>Consume it one way: as an {@link Iterator}, as a {@link #stream()}, or through one
 * {@link #publisher()} subscriber. Not thread-safe as an iterator (one consumer thread at a time);
 * {@link #close()} may be called from any thread.
 */
public final class PyStream implements Iterator<Object>, AutoCloseable {
    /** The batch size {@code Py.stream(call)} uses. */
    public static final int DEFAULT_BATCH_SIZE = 64;
    /** The most items one pull may ask for. */
    public static final int MAX_BATCH_SIZE = 65_536;
    /** How much longer than its own bound the consumer waits for a pull's answer before it gives up. */
    private static final Duration ANSWER_MARGIN = Duration.ofSeconds(30);

    /**
     * Where a stream's items come from: a member's runtime, or a member seen from a client.
     * Implemented by hzpy, not by users. Thread-safe: {@link #close()} may race a pull.
     */
    public interface Source {
        /**
         * The next at most {@code max} items (fewer only at the end). The stage fails with the typed
         * {@link PyException} of a pull that failed; the stream has then ended at the source. Bounded
         * by the call's timeout. Never called again after a batch that is {@link Batch#done()}, or
         * while a pull is under way.
         */
        CompletionStage<Batch> next(int max);

        /**
         * {@link #next(int)} for a consumer that waits for the answer anyway (the {@link Iterator}):
         * a source may run the pull on the calling thread and save a hand-off. By default, {@code next}.
         */
        default CompletionStage<Batch> nextWaiting(int max) {
            return next(max);
        }

        /** Ends the stream at its source (the generator's {@code finally} runs, once); idempotent; never throws. */
        void close();

        /** What streams, for messages: {@code feeds.lines() on member [127.0.0.1]:5701}. */
        String describe();
    }

    /** One pull's answer: items in order, and whether the generator is exhausted after them. */
    public record Batch(List<Object> items, boolean done) {
        /** {@code items} may hold nulls (Python's {@code None}); the batch keeps its own unmodifiable copy. */
        public Batch {
            items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(Objects.requireNonNull(items, "items")));
        }
    }

    private final Source source;
    private final int batchSize;
    private final Duration pullTimeout;
    private final ArrayDeque<Object> buffer = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean consumed = new AtomicBoolean();
    private boolean exhausted;
    /** Stands for a None item in the buffer (an ArrayDeque holds no nulls). */
    private static final Object NONE = new Object();

    private PyStream(Source source, int batchSize, Duration pullTimeout) {
        this.source = source;
        this.batchSize = batchSize;
        this.pullTimeout = pullTimeout;
    }

    /**
     * A stream over {@code source} (used by hzpy's runtime and its client side).
     *
     * @param batchSize   items per pull, 1 to {@value #MAX_BATCH_SIZE}
     * @param pullTimeout how long one pull may take at the source (the call's timeout)
     */
    public static PyStream over(Source source, int batchSize, Duration pullTimeout) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(pullTimeout, "pullTimeout");
        checkBatchSize(batchSize);
        if (pullTimeout.isNegative() || pullTimeout.isZero()) {
            throw new IllegalArgumentException("a pull's timeout must be positive, was " + pullTimeout);
        }
        return new PyStream(source, batchSize, pullTimeout);
    }

    /** Checks a batch size as {@code Py.stream(call, batchSize)} takes it. */
    public static int checkBatchSize(int batchSize) {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("a stream's batch size must be 1 to " + MAX_BATCH_SIZE + ", was " + batchSize);
        }
        return batchSize;
    }

    /**
     * Whether another item comes: pulls the next batch if this one is used up (waiting at most
     * the call's timeout).
     *
     * @throws PyException the typed failure of the pull (the Python error with its traceback, a
     *                     timeout, the member lost); the stream has then ended
     */
    @Override
    public boolean hasNext() {
        if (!buffer.isEmpty()) {
            return true;
        }
        if (exhausted || closed.get()) {
            return false;
        }
        Batch batch = await(source.nextWaiting(batchSize));
        buffer.addAll(batch.items().stream().map(i -> i == null ? NONE : i).toList());
        if (batch.done()) {
            exhausted = true;
            closed.set(true); // ended at the source: nothing to close there
        }
        return !buffer.isEmpty();
    }

    /** The next item ({@code null} for Python's {@code None}); see {@link #hasNext()} for what it throws. */
    @Override
    public Object next() {
        if (!hasNext()) {
            throw new NoSuchElementException(closed.get() && !exhausted ? "the stream was closed" : "the stream is exhausted");
        }
        Object item = buffer.poll();
        return item == NONE ? null : item;
    }

    /** Ends the stream: the generator is closed at its source (its {@code finally} runs once) and the permit is freed. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            buffer.clear();
            source.close();
        }
    }

    /** Whether the stream has ended (exhausted, failed or closed). */
    public boolean isClosed() {
        return closed.get() && buffer.isEmpty();
    }

    /** The items as a sequential, ordered {@link Stream}; closing it closes this stream. */
    public Stream<Object> stream() {
        claim("stream()");
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED), false)
                .onClose(this::close);
    }

    /**
     * The items as a {@link Flow.Publisher} for one subscriber: it pulls only what
     * {@link Flow.Subscription#request(long)} asks for (in batches of at most the batch size),
     * delivers on the thread that completes each pull, and closes the stream when the subscription
     * is cancelled, after {@code onComplete}, and after {@code onError}. A second subscriber gets
     * {@code onError(IllegalStateException)}.
     */
    public Flow.Publisher<Object> publisher() {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            if (!consumed.compareAndSet(false, true)) {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                subscriber.onError(new IllegalStateException(source.describe() + ": this stream already has a consumer"));
                return;
            }
            new Subscription(subscriber).start();
        };
    }

    private void claim(String how) {
        if (!consumed.compareAndSet(false, true)) {
            throw new IllegalStateException(source.describe() + ": this stream already has a consumer (" + how + ")");
        }
    }

    private Batch await(CompletionStage<Batch> pull) {
        Duration bound = pullTimeout.plus(ANSWER_MARGIN);
        CompletableFuture<Batch> f = pull.toCompletableFuture();
        try {
            return f.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new PyCancelledException("interrupted while waiting for " + source.describe());
        } catch (TimeoutException e) {
            close();
            throw new PyTimeoutException(source.describe() + ": no answer to a pull within " + bound.toMillis() + " ms");
        } catch (ExecutionException e) {
            closed.set(true); // a failed pull ended the stream at its source
            throw failure(e.getCause());
        } catch (CancellationException e) {
            close();
            throw new PyCancelledException(source.describe() + ": the pull was cancelled");
        }
    }

    private RuntimeException failure(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof RuntimeException r) {
            return r;
        }
        return new PyException(source.describe() + ": " + cause, cause);
    }

    /**
     * One subscriber's delivery: demand is counted; while there is demand, buffered items go out,
     * and when the buffer is empty one pull is under way at a time. All state changes under the
     * lock; calls to the subscriber happen outside it, from one thread at a time ({@code delivering}).
     */
    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super Object> subscriber;
        private long demand;
        private boolean pulling;
        private boolean delivering;
        private boolean done;
        private final Object lock = new Object();

        Subscription(Flow.Subscriber<? super Object> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            subscriber.onSubscribe(this);
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                fail(new IllegalArgumentException("request(" + n + "): demand must be positive (rule 3.9)"));
                return;
            }
            synchronized (lock) {
                if (done) {
                    return;
                }
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            drain();
        }

        @Override
        public void cancel() {
            synchronized (lock) {
                if (done) {
                    return;
                }
                done = true;
            }
            close();
        }

        private void drain() {
            synchronized (lock) {
                if (delivering) {
                    return; // the thread delivering now sees the new demand
                }
                delivering = true;
            }
            while (true) {
                Object item;
                boolean complete = false;
                boolean pull = false;
                synchronized (lock) {
                    if (done) {
                        delivering = false;
                        return;
                    }
                    if (demand > 0 && !buffer.isEmpty()) {
                        item = buffer.poll();
                        demand--;
                    } else {
                        item = null;
                        if (buffer.isEmpty() && exhausted) {
                            complete = true;
                            done = true;
                        } else if (demand > 0 && !pulling) {
                            pulling = true;
                            pull = true;
                        }
                        if (!complete) {
                            delivering = false;
                        }
                    }
                }
                if (complete) {
                    closed.set(true);
                    subscriber.onComplete();
                    return;
                }
                if (item == null) {
                    if (pull && startPull()) { // its batch was there at once: delivered by this loop, not by a nested drain
                        synchronized (lock) {
                            if (delivering) {
                                return;
                            }
                            delivering = true;
                        }
                        continue;
                    }
                    return;
                }
                try {
                    subscriber.onNext(item == NONE ? null : item);
                } catch (RuntimeException e) { // rule 2.13: a throwing subscriber cancels
                    cancel();
                    return;
                }
            }
        }

        /**
         * Starts a pull. True when its batch was there at once and is buffered: the caller delivers
         * it (a source that answers before it returns, one item a pull, would otherwise nest one
         * drain per batch until the stack overflows); else its completion drains.
         */
        private boolean startPull() {
            CompletionStage<Batch> next;
            try {
                next = source.next(batchSize);
            } catch (RuntimeException e) {
                fail(e);
                return false;
            }
            CompletableFuture<Batch> f = next.toCompletableFuture();
            if (f.isDone() && !f.isCompletedExceptionally()) {
                absorb(f.join());
                return true;
            }
            next.whenComplete((batch, error) -> {
                if (error != null) {
                    closed.set(true);
                    fail(failure(error));
                    return;
                }
                absorb(batch);
                drain();
            });
            return false;
        }

        private void absorb(Batch batch) {
            synchronized (lock) {
                pulling = false;
                buffer.addAll(batch.items().stream().map(i -> i == null ? NONE : i).toList());
                if (batch.done()) {
                    exhausted = true;
                }
            }
        }

        private void fail(Throwable error) {
            synchronized (lock) {
                if (done) {
                    return;
                }
                done = true;
            }
            close();
            subscriber.onError(error);
        }
    }
}
