package org.hzpy.callbacks;

import org.hzpy.PyCall;
import org.hzpy.PyCancelledException;
import org.hzpy.PyTimeoutException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One Python call's way back in while it waits for a Java function: calls made from another
 * thread are queued here and run by the waiting thread itself, nested in the Python call, in its
 * context, with no permit or context to wait for. Carried explicitly by {@link org.hzpy.PyArgs},
 * never through a ThreadLocal. Once the function's result is in, later calls run on their own.
 */
final class Chain {
    private static final Runnable RESULT_IN = () -> { };
    /** How long a queued call without a timeout of its own waits for its answer, beyond {@link #ANSWER_SLACK}. */
    private static final java.time.Duration NO_TIMEOUT_WAIT = java.time.Duration.ofMinutes(10);
    private static final java.time.Duration ANSWER_SLACK = java.time.Duration.ofSeconds(30);

    private final Thread owner;
    private final Function<PyCall, Object> run;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private volatile boolean open = true;

    Chain(Thread owner, Function<PyCall, Object> run) {
        this.owner = owner;
        this.run = run;
    }

    /** Runs {@code call} nested in the waiting Python call (or on its own once that has moved on). */
    Object call(PyCall call) {
        if (Thread.currentThread() == owner || !open) {
            return run.apply(call);
        }
        Nested nested = new Nested(call);
        inbox.add(nested);
        if (!open && nested.claim()) { // closed meanwhile, and nobody took it: run it here, on its own
            return run.apply(call);
        }
        java.time.Duration bound = (call.timeout() == null ? NO_TIMEOUT_WAIT : call.timeout()).plus(ANSWER_SLACK);
        try {
            return nested.answer.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new PyTimeoutException(call.module() + "." + call.function() + "() got no answer from its Python call within "
                    + bound.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyCancelledException(call.module() + "." + call.function() + "() was interrupted while waiting to run");
        }
    }

    /** A call queued for the owner; run at most once, by whoever claims it. */
    private final class Nested implements Runnable {
        final PyCall call;
        final CompletableFuture<Object> answer = new CompletableFuture<>();
        private final java.util.concurrent.atomic.AtomicBoolean taken = new java.util.concurrent.atomic.AtomicBoolean();

        Nested(PyCall call) {
            this.call = call;
        }

        boolean claim() {
            return taken.compareAndSet(false, true);
        }

        @Override
        public void run() {
            if (!claim()) {
                return;
            }
            try {
                answer.complete(Chain.this.run.apply(call));
            } catch (RuntimeException | Error e) {
                answer.completeExceptionally(e);
            }
        }
    }

    /**
     * The owner waits for {@code stage} until {@code deadlineNanos}, running the calls other
     * threads queue meanwhile; then the chain closes.
     */
    Object await(CompletionStage<?> stage, long deadlineNanos) {
        CompletableFuture<?> result = stage.toCompletableFuture();
        result.whenComplete((v, e) -> inbox.add(RESULT_IN));
        try {
            while (!result.isDone()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new PyTimeoutException("a Java function's result did not arrive before its Python call's deadline");
                }
                Runnable next = inbox.poll(left, TimeUnit.NANOSECONDS);
                if (next != null) {
                    next.run();
                }
            }
            return result.get(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyCancelledException("the Python call was stopped while it waited for a Java function's result");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause.getClass().getName() + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // done before get(): cannot happen
        } finally {
            close();
        }
    }

    /** No more nesting: calls queued before the close still run here, nested; later ones run on their own. */
    void close() {
        open = false;
        Runnable left;
        while ((left = inbox.poll()) != null) {
            left.run();
        }
    }
}
