package org.hzpy.runtime;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Python's way into Java ({@code hzpy.*} in Python) for one context: converts the arguments, runs
 * the named {@link HostFunctions} function under the calling frame's deadline, and answers
 * {@code [True, result]} or {@code [False, Python exception type, message]}; it never throws into
 * Python, except a stop of the context itself. Refuses nesting deeper than the thread's stack
 * holds ({@link StackBudget}). Thread-safe: it keeps no state of its own.
 */
final class HostBridge implements ProxyExecutable {
    /** Beyond a call's deadline, how long a Java function it called may still wait: the watchdog interrupts first. */
    /** The host function behind {@code hzpy.call_async}: it returns a registered function's result unawaited. */
    static final String ASYNC = "call_async";
    /** What {@code _hzpy_internal.aio} sends when a coroutine stopped awaiting (it was cancelled). */
    private static final String ASYNC_CANCEL = "call_async_cancel";
    private static final long WAIT_PAST_DEADLINE_NANOS = Timeouts.NESTED_STOP_GRACE.toNanos() * 2;

    private final HostFunctions functions;
    private final Conversions conversions;
    private final Frames frames;
    private final AsyncLoop asyncLoop;

    HostBridge(HostFunctions functions, Conversions conversions, Frames frames, AsyncLoop asyncLoop) {
        this.functions = functions;
        this.conversions = conversions;
        this.frames = frames;
        this.asyncLoop = asyncLoop;
    }

    /** arguments[0] names the function, the rest are its arguments. */
    @Override
    public Object execute(Value... arguments) {
        try {
            CallFrame frame = frames.current();
            int depth = 0;
            for (CallFrame f = frame; f != null; f = f.outer) {
                depth++;
            }
            int allowed = StackBudget.nestingAllowed();
            if (depth >= allowed) { // refused before the stack runs out: an overflow can break GraalPy for the whole JVM
                return conversions.toPython(List.of(false, "RecursionError", "Python -> Java -> Python nesting "
                        + depth + " levels deep is as deep as the stack of thread '" + Thread.currentThread().getName()
                        + "' allows (" + allowed + " levels); nest less deeply, or start the call with callAsync, which runs on"
                        + " hzpy's threads (" + StackBudget.nestingOnHzpyThreads() + " levels)"));
            }
            String name = arguments[0].asString();
            if (ASYNC_CANCEL.equals(name)) {
                asyncLoop.cancelAwait(arguments[1].asLong());
                return conversions.toPython(Arrays.asList(true, null));
            }
            boolean async = ASYNC.equals(name); // call_async(await id, function name, *args): the function starts, nobody waits
            List<Object> args = new ArrayList<>(arguments.length - 1);
            for (int i = async ? 2 : 1; i < arguments.length; i++) {
                args.add(conversions.toJava(arguments[i]));
            }
            if (async) {
                Object started = functions.apply(ASYNC, args, waitDeadline(frame));
                return conversions.toPython(asyncLoop.awaitJava(arguments[1].asLong(), started));
            }
            return conversions.toPython(Arrays.asList(true, functions.apply(name, args, waitDeadline(frame))));
        } catch (RuntimeException e) {
            if (e instanceof PolyglotException p && (p.isCancelled() || p.isInterrupted() || p.isResourceExhausted())) {
                throw p; // a stop of this context, not the function's failure
            }
            return conversions.toPython(List.of(false, HostFunctions.pythonTypeOf(e), HostFunctions.messageOf(e)));
        } catch (StackOverflowError e) { // Python -> Java -> Python nesting deeper than this thread's stack
            return conversions.toPython(List.of(false, "RecursionError", Failures.stackUsedUp()));
        }
    }

    /**
     * How long a Java function called from {@code frame} may wait: to its deadline if it stops
     * itself (a nested call: Python gets a catchable TimeoutError, as its trace hook would raise),
     * else a little past it, so that the watchdog's interrupt ends the wait and the call fails as
     * any timed-out call does.
     */
    private static long waitDeadline(CallFrame frame) {
        if (frame == null) {
            return System.nanoTime() + Timeouts.MAX_TIMEOUT_NANOS;
        }
        return frame.stopsItself ? frame.deadlineNanos : frame.deadlineNanos + WAIT_PAST_DEADLINE_NANOS;
    }
}
