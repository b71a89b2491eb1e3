package org.hzpy.runtime;

import org.hzpy.PyCancelledException;
import org.hzpy.PyTimeoutException;
import org.hzpy.support.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The frame registry of one context on its own, without GraalPy: stop requests reach the call
 * they name and no other, the watchdog's marks, and the interrupt gate. Frames are registered for
 * threads that need not run (a frame names its thread), so every interleaving here is exact.
 */
class FramesTest {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    private static final long ABANDON_AFTER = TimeUnit.SECONDS.toNanos(30);
    private static final long REINTERRUPT = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long NESTED_GRACE = TimeUnit.SECONDS.toNanos(1);

    private final AtomicInteger interrupts = new AtomicInteger();
    private final Frames frames = new Frames("context 0",
            new Frames.Timing(TimeUnit.SECONDS.toNanos(10), REINTERRUPT, ABANDON_AFTER, NESTED_GRACE),
            interrupts::incrementAndGet);
    private final long now = System.nanoTime();

    private static CallFrame call(Thread thread, long deadline, StopToken token) {
        CallFrame f = new CallFrame(thread, deadline, 1000, "mod", "fn");
        f.token = token;
        return f;
    }

    private static Thread someThread() {
        return new Thread(() -> { }, "caller");
    }

    /** Two calls running in one (SHARED) context, each on a thread of its own: the first, then the other. */
    private CallFrame[] twoCallsRunning(long firstDeadline) {
        CallFrame first = call(someThread(), firstDeadline, new StopToken());
        CallFrame other = call(someThread(), now + HOUR, new StopToken());
        frames.push(first);
        frames.push(other);
        return new CallFrame[] {first, other};
    }

    @Test
    void aCancelThatLandsBeforeTheCallEnters_keepsItOutOfPython() {
        // Given a call cancelled while it waited (for a permit or a context)
        StopToken token = new StopToken();
        token.cancel();

        // When it enters its context, Then it is refused and never registered as running
        assertThatThrownBy(() -> frames.push(call(Thread.currentThread(), now + HOUR, token)))
                .isInstanceOf(PyCancelledException.class)
                .hasMessageContaining("mod.fn() was cancelled by its caller before it started");
        assertThat(frames.isEmpty()).isTrue();
    }

    @Test
    void aCancelOfAnEndedCall_doesNotStopTheNextCallOnTheSameThread() {
        // Given a call that ended on this thread, and the next call this thread runs
        StopToken first = new StopToken();
        CallFrame ended = call(Thread.currentThread(), now + HOUR, first);
        frames.push(ended);
        frames.pop(ended);
        CallFrame next = call(Thread.currentThread(), now + HOUR, new StopToken());
        frames.push(next);

        // When the first call's cancel lands late
        first.cancel();

        // Then the watchdog finds nothing to stop: the next call runs on
        assertThat(frames.markStops(now, false)).isFalse();
        assertThat(next.stopped).isNull();
        assertThat(interrupts).hasValue(0);
    }

    @Test
    void aCancel_beside_aRunningCall_waits_soThatTheInterruptDoesNotFailThatCall() {
        // Given two calls running in one (SHARED) context
        CallFrame[] calls = twoCallsRunning(now + HOUR);
        CallFrame mine = calls[0];
        CallFrame other = calls[1];

        // When one is cancelled and the watchdog looks
        mine.token.cancel();

        // Then neither is marked and the context is not interrupted (its one interrupt reaches both)
        assertThat(frames.markStops(now, false)).isFalse();
        assertThat(mine.stopped).isNull();
        assertThat(other.stopped).isNull();
    }

    @Test
    void aCancelledCall_isStopped_onceTheCallBesideItHasEnded() {
        // Given a cancelled call that waited for the call beside it
        CallFrame[] calls = twoCallsRunning(now + HOUR);
        CallFrame mine = calls[0];
        CallFrame other = calls[1];
        mine.token.cancel();
        frames.markStops(now, false);

        // When the other call ends and the watchdog looks again
        frames.pop(other);
        boolean interrupt = frames.markStops(now, false);

        // Then only the cancelled call is marked, and the context is interrupted once
        assertThat(interrupt).isTrue();
        frames.interruptNow();
        assertThat(mine.stopped).isEqualTo(CallFrame.Stop.CANCELLED);
        assertThat(interrupts).hasValue(1);
    }

    @Test
    void aCancelledCall_beside_aRunningCall_isStopped_atItsDeadline() {
        // Given a cancelled call beside a running one
        CallFrame[] calls = twoCallsRunning(now + 1_000);
        CallFrame mine = calls[0];
        CallFrame other = calls[1];
        mine.token.cancel();

        // When its deadline passes
        boolean interrupt = frames.markStops(now + 2_000, false);

        // Then it is stopped (its timeout bounds what a cancel may leave running), the other not marked
        assertThat(interrupt).isTrue();
        assertThat(mine.stopped).isEqualTo(CallFrame.Stop.CANCELLED);
        assertThat(other.stopped).isNull();
    }

    @Test
    void aNestedCall_isStoppedByItsCallersCancel() {
        // Given a call and a call nested in it (Python -> Java -> Python) that has no token of its own
        StopToken token = new StopToken();
        CallFrame outer = call(Thread.currentThread(), now + HOUR, token);
        frames.push(outer);
        CallFrame nested = call(Thread.currentThread(), now + HOUR, null);
        frames.push(nested);

        // When the caller cancels
        token.cancel();

        // Then the nested call is stopped too, and is the thread's current frame
        assertThat(frames.markStops(now, false)).isTrue();
        assertThat(nested.token).isSameAs(token);
        assertThat(nested.stopped).isEqualTo(CallFrame.Stop.CANCELLED);
        assertThat(frames.current()).isSameAs(nested);
    }

    @Test
    void aCallNestedInAStoppedCall_isNotStarted() {
        // Given a call the watchdog stopped for its timeout
        CallFrame outer = call(Thread.currentThread(), now - 1, null);
        frames.push(outer);
        assertThat(frames.markStops(now, false)).isTrue();
        frames.interruptNow();

        // When its Python calls Java that calls Python again, Then that call does not start
        assertThatThrownBy(() -> frames.push(call(Thread.currentThread(), now + HOUR, null)))
                .isInstanceOf(PyTimeoutException.class)
                .hasMessageContaining("the call it is nested in was stopped (timeout)");
    }

    @Test
    void aNestedCallThatStopsItself_isLeftToStopItself_forItsGrace() {
        // Given a nested call past its own (earlier) deadline, that stops itself
        CallFrame outer = call(Thread.currentThread(), now + HOUR, null);
        frames.push(outer);
        CallFrame nested = call(Thread.currentThread(), now - 1, null);
        nested.stopsItself = true;
        frames.push(nested);

        // When the watchdog looks within the grace, Then it does not interrupt (that would stop the outer call too)
        assertThat(frames.markStops(now, false)).isFalse();

        // When it is still running past the grace, Then it is interrupted, and the outer call is told why
        assertThat(frames.markStops(now + NESTED_GRACE, false)).isTrue();
        assertThat(nested.stopped).isEqualTo(CallFrame.Stop.TIMEOUT);
        assertThat(outer.nestedOverran).isEqualTo("mod.fn()");
    }

    @Test
    void theMemoryGuard_stopsEveryRunningFrame() {
        CallFrame a = call(someThread(), now + HOUR, null);
        CallFrame b = call(someThread(), now + HOUR, null);
        frames.push(a);
        frames.push(b);

        assertThat(frames.markStops(now, true)).isTrue();

        assertThat(a.stopped).isEqualTo(CallFrame.Stop.MEMORY);
        assertThat(b.stopped).isEqualTo(CallFrame.Stop.MEMORY);
    }

    @Test
    void aStoppedFrame_isInterruptedAgain_onlyAfterTheReinterruptPeriod() {
        CallFrame f = call(Thread.currentThread(), now - 1, null);
        frames.push(f);
        assertThat(frames.markStops(now, false)).isTrue();
        frames.interruptNow();

        assertThat(frames.markStops(now + REINTERRUPT - 1, false)).isFalse();
        assertThat(frames.markStops(now + REINTERRUPT, false)).isTrue();
    }

    @Test
    void aFrameThatIgnoresItsInterrupt_isGivenUp_onceAndByItsOutermostFrame() {
        // Given a call, and a nested one that the watchdog stopped and that runs on
        CallFrame outer = call(Thread.currentThread(), now + HOUR, null);
        frames.push(outer);
        CallFrame nested = call(Thread.currentThread(), now - 1, null);
        frames.push(nested);
        assertThat(frames.markStops(now, false)).isTrue();
        frames.interruptNow();

        // Then it is not given up before hzpy.abandon-after, then once, as its outermost frame
        assertThat(frames.beyondRescue(now + ABANDON_AFTER - 1)).isEmpty();
        assertThat(frames.beyondRescue(now + ABANDON_AFTER)).containsExactly(outer);
        assertThat(frames.beyondRescue(now + ABANDON_AFTER + 1)).isEmpty();
        assertThat(outer.abandoned).isTrue();
    }

    @Test
    void aNewCall_waitsOutAnInterruptInFlight_thenEnters() throws Exception {
        // Given an interrupt in flight (the interrupter blocks until released)
        CountDownLatch release = new CountDownLatch(1);
        Frames gated = new Frames("context 1", new Frames.Timing(TimeUnit.MINUTES.toNanos(1), REINTERRUPT, ABANDON_AFTER,
                NESTED_GRACE), () -> {
            try {
                release.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        gated.push(call(someThread(), now - 1, null));
        assertThat(gated.markStops(now, false)).isTrue();
        Thread watchdog = new Thread(gated::interruptNow, "watchdog");
        watchdog.start();

        // When a new call enters meanwhile
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch entered = new CountDownLatch(1);
        Thread caller = new Thread(() -> {
            try {
                gated.push(call(Thread.currentThread(), System.nanoTime() + HOUR, null));
                entered.countDown();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "new-call");
        caller.start();

        // Then it waits at the gate until the interrupt is over, and enters after it
        Await.until(Duration.ofSeconds(30), "the new call waits at the gate",
                () -> caller.getState() == Thread.State.TIMED_WAITING);
        assertThat(entered.getCount()).isEqualTo(1);
        release.countDown();
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).isNull();
        watchdog.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(gated.started()).isEqualTo(2);
    }

    @Test
    void aClosedContext_isNeverMarkedForAnInterrupt() {
        frames.push(call(someThread(), now - 1, null));
        frames.close();

        assertThat(frames.markStops(now, false)).isFalse();
        assertThat(frames.beyondRescue(now)).isEqualTo(List.of());
    }
}
