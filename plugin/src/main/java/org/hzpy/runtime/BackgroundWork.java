package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The one scheduler of the Python work no caller asked for: the start-up warm-up, the warm-up of
 * {@code hzpy.warmup-modules}, that of Jet jobs' per-context work (members that take jobs' code) and json's training (all with {@code hzpy.prewarm} only). Each step runs as a {@link CallFrame} with a
 * bound of its own, so the watchdog, the memory guard, {@code hzpy.abandon-after} and the busy
 * meter see it like a call, and an interrupt in flight for a call that just ended waits at the
 * frame's gate instead of landing on it. One idle policy for every step: a context takes a step
 * only when it is free, nobody queues for it, no coroutine call is pending there and no call
 * started there for {@link #IDLE_MILLIS}.
 * A context that is never idle keeps json's native scanner and warms up through its calls.
 * Thread-safe; the steps run on one thread, one context at a time.
 */
final class BackgroundWork {
    private static final ILogger LOGGER = Logger.getLogger(BackgroundWork.class);
    /** How long a context must have started no call before a step may take it. */
    static final long IDLE_MILLIS = 20;
    /** How long one slice of json's training is asked to take (Python's own measure; see _hzpy_internal). */
    private static final double JSON_TRAINING_SLICE_SECONDS = 0.02;
    /** How long one slice of the modules' warm-up is asked to take (Python's own measure). */
    private static final double MODULES_SLICE_SECONDS = 0.05;
    /** How long one slice of the warm-up of Jet jobs' work is asked to take (Python's own measure). */
    private static final double JOBS_SLICE_SECONDS = 0.05;

    /**
     * What a context still has to do, in order: warm-up slices, the warm-up imports, the modules'
     * warm-up, the warm-up of Jet jobs' work, then json's training.
     */
    private static final class Progress {
        int warmUpStepsDone;
        boolean warm;
        boolean modulesWarm;
        boolean jobsWarm;
        /** Time the warm-up of Jet jobs' work has taken in this context so far. */
        long jobsNanos;
    }

    private final Admission admission;
    private final int warmUpSlices;
    /** Whether contexts warm up hzpy.warmup-modules (configured in each when it starts). */
    private final boolean warmsUpModules;
    /** The directory the warm-up of Jet jobs' work runs over, or null: no such warm-up. */
    private final JobScopeWarmUp jobs;
    private final ExecutorService thread;
    /** Told when a context's warm-up is over (done, failed, or the context went): readiness waits for it. */
    private final Consumer<PythonContext> onWarm;
    /**
     * Whether every context of the pool has started and finished its warm-up: the modules' warm-up
     * waits for that, so that it never takes cores from a context still starting (readiness).
     */
    private final java.util.function.BooleanSupplier allWarm;
    private final Map<PythonContext, Progress> due = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong stepsStopped = new AtomicLong();

    /**
     * @param warmUpSlices   cheap warm-up slices per context before the imports; 0 turns all background work off
     * @param warmsUpModules whether the modules' warm-up follows (hzpy.warmup-modules not none)
     * @param jobs           the warm-up of Jet jobs' work that follows it, or null
     * @param thread         one thread: steps take one context at a time
     */
    BackgroundWork(Admission admission, int warmUpSlices, boolean warmsUpModules, JobScopeWarmUp jobs, ExecutorService thread,
                   Consumer<PythonContext> onWarm, java.util.function.BooleanSupplier allWarm) {
        this.allWarm = allWarm;
        this.admission = admission;
        this.warmUpSlices = warmUpSlices;
        this.warmsUpModules = warmsUpModules;
        this.jobs = jobs;
        this.thread = thread;
        this.onWarm = onWarm;
    }

    boolean warmsUp() {
        return warmUpSlices > 0;
    }

    /** Steps stopped by the watchdog (their bound, or the memory guard) or lost with their context. */
    long stepsStopped() {
        return stepsStopped.get();
    }

    /**
     * Warms {@code w} up now, on the calling (init) thread, before it serves: no caller can be
     * waiting for it yet. Each step is still a frame.
     */
    void warmUpBeforeServing(PythonContext w) {
        for (int step = 0; step < warmUpSteps() && !w.isClosed(); step++) {
            if (!runStep(w, step)) {
                break;
            }
        }
    }

    /**
     * {@code w} has just started serving: schedules what it still has to do (its warm-up when it
     * was not {@code warmed} before serving, then json's training). Without pre-warm it is warm now.
     */
    void serving(PythonContext w, boolean warmed) {
        if (!warmsUp()) {
            onWarm.accept(w);
            return;
        }
        Progress p = new Progress();
        p.modulesWarm = !warmsUpModules;
        p.jobsWarm = jobs == null;
        if (warmed) {
            p.warmUpStepsDone = warmUpSteps();
            p.warm = true;
            onWarm.accept(w);
        }
        due.put(w, p);
        startIfDue();
    }

    /** The warm-up: the cheap call-path slices, then the slow imports (last: a caller waiting behind them waits longest). */
    private int warmUpSteps() {
        return warmUpSlices == 0 ? 0 : warmUpSlices + 1;
    }

    private void startIfDue() {
        if (!due.isEmpty() && running.compareAndSet(false, true)) {
            try {
                thread.execute(this::runDue);
            } catch (RejectedExecutionException e) {
                running.set(false); // the runtime is closing
            }
        }
    }

    /** The scheduler's loop: a step in each context that stayed idle for {@link #IDLE_MILLIS}, until none is due. */
    private void runDue() {
        try {
            while (!due.isEmpty()) {
                Map<PythonContext, Long> callsBefore = new HashMap<>();
                for (PythonContext w : due.keySet()) {
                    callsBefore.put(w, w.framesStarted());
                }
                Thread.sleep(IDLE_MILLIS);
                for (Map.Entry<PythonContext, Long> e : callsBefore.entrySet()) {
                    PythonContext w = e.getKey();
                    Progress p = due.get(w);
                    if (p == null) {
                        continue;
                    }
                    if (w.isClosed() || w.isRetired()) {
                        forget(w, p);
                    } else if (w.framesStarted() == e.getValue() && idle(w) && enterIdle(w)) {
                        try {
                            step(w, p);
                        } finally {
                            admission.exit(w, true);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running.set(false);
            if (!Thread.currentThread().isInterrupted()) {
                startIfDue(); // for a context added just as this run ended
            }
        }
    }

    /**
     * No call runs in {@code w}, and none is pending there as a coroutine: a coroutine call leaves the
     * context between its ticks, but its next tick must not wait behind a step (the warm-up's imports
     * take seconds, tens of them on a loaded machine, and the call's deadline runs meanwhile).
     */
    private static boolean idle(PythonContext w) {
        return !w.busy() && w.asyncLoop().pendingCalls() == 0;
    }

    private boolean enterIdle(PythonContext w) {
        return !admission.callersWaiting(w) && admission.tryEnter(w);
    }

    /** One step in {@code w}, which this thread holds. */
    private void step(PythonContext w, Progress p) {
        if (!p.warm) {
            boolean ok = runStep(w, p.warmUpStepsDone++);
            if (!ok || p.warmUpStepsDone >= warmUpSteps()) {
                p.warm = true;
                onWarm.accept(w);
            }
            return;
        }
        if (!p.modulesWarm) {
            if (allWarm.getAsBoolean()) {
                p.modulesWarm = warmUpModulesSlice(w);
            }
            return;
        }
        if (!p.jobsWarm) {
            p.jobsWarm = warmUpJobsSlice(w, p);
            if (p.jobsWarm) {
                finishJobsWhenAllWarm();
            }
            return;
        }
        if (trainJsonSlice(w)) {
            due.remove(w);
        }
    }

    /** One slice of the modules' warm-up in {@code w} as a frame; true when it is over there (done, or failed). */
    private boolean warmUpModulesSlice(PythonContext w) {
        try {
            List<String> problems = asFrame(w, "the modules' warm-up in context " + w.index,
                    Timeouts.WARM_UP_STEP_TIMEOUT, worker -> worker.warmUpModules(MODULES_SLICE_SECONDS));
            if (problems == null) {
                return false;
            }
            for (String problem : problems) {
                LOGGER.warning("hzpy context " + w.index + ": hzpy.warmup-modules: " + problem + " (skipped)");
            }
            return true;
        } catch (RuntimeException e) {
            failed(w, "the modules' warm-up", e);
            return true;
        }
    }

    /** One slice of the warm-up of Jet jobs' work in {@code w} as a frame; true when it is over there (done, or failed). */
    private boolean warmUpJobsSlice(PythonContext w, Progress p) {
        String directory = jobs.directory();
        if (directory == null) {
            return true; // finished already (w replaced a context), or no directory
        }
        long t0 = System.nanoTime();
        try {
            boolean done = asFrame(w, "the warm-up of Jet jobs' work in context " + w.index, Timeouts.WARM_UP_STEP_TIMEOUT,
                    worker -> worker.warmUpJobs(directory, JOBS_SLICE_SECONDS, jobs.rounds()));
            p.jobsNanos += System.nanoTime() - t0;
            if (done) {
                LOGGER.info("hzpy context " + w.index + ": ran a Jet job's per-context work " + jobs.rounds() + " times in the background, "
                        + TimeUnit.NANOSECONDS.toMillis(p.jobsNanos) + " ms in all: the member's first jobs find it compiled");
            }
            return done;
        } catch (RuntimeException e) {
            failed(w, "the warm-up of Jet jobs' work", e);
            return true;
        }
    }

    /** Once no context has the jobs' warm-up left, its scope closes and its directory goes. */
    private void finishJobsWhenAllWarm() {
        if (jobs != null && due.values().stream().allMatch(q -> q.jobsWarm)) {
            jobs.finish();
        }
    }

    private void forget(PythonContext w, Progress p) {
        due.remove(w);
        if (!p.warm) {
            onWarm.accept(w); // readiness must not wait for a context that went
        }
        finishJobsWhenAllWarm();
    }

    /** Warm-up step {@code step} of {@code w} as a frame; false when it failed (the warm-up then ends). */
    private boolean runStep(PythonContext w, int step) {
        try {
            asFrame(w, "the warm-up of context " + w.index, Timeouts.WARM_UP_STEP_TIMEOUT, worker -> {
                if (step < warmUpSlices) {
                    worker.warmUpSlice();
                } else {
                    worker.warmUpImports();
                }
                return null;
            });
            return true;
        } catch (RuntimeException e) {
            failed(w, "warm-up", e);
            return false;
        }
    }

    /** One slice of json's training in {@code w} as a frame; true when it is over there (settled, or failed). */
    private boolean trainJsonSlice(PythonContext w) {
        try {
            return asFrame(w, "json's training in context " + w.index, Timeouts.JSON_TRAINING_STEP_TIMEOUT, worker -> worker.trainJson(JSON_TRAINING_SLICE_SECONDS));
        } catch (RuntimeException e) {
            failed(w, "json's training (json keeps its native scanner)", e);
            return true;
        }
    }

    private void failed(PythonContext w, String what, RuntimeException e) {
        if (e instanceof org.hzpy.PyTimeoutException || e instanceof org.hzpy.PyResourceException
                || e instanceof org.hzpy.PyUnavailableException) {
            stepsStopped.incrementAndGet();
        }
        if (!w.isClosed()) {
            LOGGER.warning("hzpy context " + w.index + ": " + what + " failed: " + e.getMessage());
        }
    }

    /** Runs {@code op} in {@code w} as a frame bounded by {@code timeout}: the watchdog stops it there. */
    private static <T> T asFrame(PythonContext w, String what, java.time.Duration timeout, java.util.function.Function<PythonContext, T> op) {
        long timeoutNanos = timeout.toNanos();
        CallFrame frame = new CallFrame(Thread.currentThread(), System.nanoTime() + timeoutNanos,
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos), what, null);
        return w.run(frame, op);
    }

    /** Forgets every context (the runtime is closing); a step in progress ends with its context. */
    void stop() {
        due.clear();
        if (jobs != null) {
            jobs.finish();
        }
    }
}
