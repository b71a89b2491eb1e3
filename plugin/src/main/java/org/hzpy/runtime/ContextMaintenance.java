package org.hzpy.runtime;

import org.graalvm.polyglot.Value;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps one context up to date before it serves a call: replays the {@link ExecLog} entries it has
 * not applied, records new exec code, and tells it the live {@link ModuleScopes}. All of it runs
 * under ONE lock per context, because several threads share a SHARED-mode context and each of
 * these steps rewrites context-wide Python state (globals, {@code sys.modules},
 * {@code builtins.__import__}): two syncs interleaving left the scoped import as its own fallback,
 * after which every import recursed. The lock is reentrant (exec-and-record catches up first) and
 * every wait for it is bounded. Thread-safe.
 */
final class ContextMaintenance {
    /** Runs a piece of Python as a unit of work of its own: under the watchdog, failures translated. */
    @FunctionalInterface
    interface FrameRunner {
        void run(CallFrame frame, Runnable python);
    }

    private final String name;
    private final FrameRunner frames;
    private final Value exec;
    private final Value checkSyntax;
    private final Value syncScopes;
    private final Value warmUpJobs;
    private final Conversions conversions;
    /** Run after the context's module scopes changed (the call-site cache may hold their modules). */
    private final Runnable onScopesChanged;
    private final long lockSlackNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /** How many exec log entries this context has applied (written under {@link #lock}). */
    private volatile int applied;
    /** The {@link ExecLog.Version} those entries come from (written under {@link #lock}). */
    private volatile long logVersion;
    /** The {@link ModuleScopes} version this context last synced to (written under {@link #lock}). */
    private volatile long scopesSeen;
    /** The log last replayed from: what another thread may be replaying when a scope sync waits for the lock. */
    private volatile ExecLog lastLog;

    ContextMaintenance(String name, FrameRunner frames, Value helpers, Conversions conversions, Runnable onScopesChanged,
                       long lockSlackNanos) {
        this.name = name;
        this.frames = frames;
        this.exec = helpers.getMember("exec_");
        this.checkSyntax = helpers.getMember("check_syntax");
        this.syncScopes = helpers.getMember("sync_scopes");
        this.warmUpJobs = helpers.getMember("warm_up_jobs");
        this.conversions = conversions;
        this.onScopesChanged = onScopesChanged;
        this.lockSlackNanos = lockSlackNanos;
    }

    /** Whether this context has code from {@code exec} still to apply. */
    boolean isBehind(ExecLog log) {
        lastLog = log;
        ExecLog.Version v = log.current();
        return v.number != logVersion || applied < v.size();
    }

    /** Whether this context ran exec code of a log version that was replaced since: it cannot serve any more. */
    boolean ranReplacedCode(ExecLog log) {
        return applied > 0 && log.current().number != logVersion;
    }

    /** Whether module scopes opened or closed since this context last synced. */
    boolean scopesBehind(ModuleScopes scopes) {
        return scopesSeen != scopes.version();
    }

    /**
     * Applies the exec code this context has not run yet, each entry exactly once and in order,
     * each under a frame and deadline of its own (never a caller's). A replay that fails or is
     * interrupted leaves the context half-defined: it is unfit then ({@link PythonContext.ReplayFailedException}).
     *
     * @return how many entries were applied
     */
    int catchUp(ExecLog log) {
        if (!isBehind(log)) {
            return 0;
        }
        lock(log);
        try {
            ExecLog.Version v = log.current();
            if (v.number != logVersion) {
                if (applied > 0) { // Python cannot forget what it defined: a fresh context replays the new log
                    throw PythonContext.ReplayFailedException.logReplaced(name);
                }
                logVersion = v.number; // nothing applied yet: the new version is as good as the old
            }
            int count = 0;
            while (applied < v.size()) {
                int n = applied;
                ExecLog.Entry entry = v.get(n);
                CallFrame frame = new CallFrame(Thread.currentThread(), System.nanoTime() + entry.timeoutNanos,
                        TimeUnit.NANOSECONDS.toMillis(entry.timeoutNanos), "the replay of exec #" + (n + 1), null);
                try {
                    frames.run(frame, () -> exec.execute(entry.source));
                } catch (RuntimeException e) {
                    throw new PythonContext.ReplayFailedException(name + " could not replay exec #" + (n + 1)
                            + " and was discarded: " + e.getMessage(), e);
                }
                applied = n + 1;
                count++;
            }
            return count;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs exec code here and records it in the log, atomically with respect to replay (so no
     * thread of a SHARED context replays what this one just ran). Runs inside the caller's frame.
     */
    void execAndRecord(String source, long timeoutNanos, ExecLog log) {
        lock(log);
        try {
            catchUp(log); // an exec from another context may have landed since the caller caught up
            checkSyntax.execute(source);
            exec.execute(source);
            log.append(source, timeoutNanos);
            applied = log.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells this context the live module scopes: closed ones' modules are dropped, new ones become
     * importable. Only one thread syncs; the others find it done once they hold the lock. A failure
     * leaves the context's imports in doubt: it is unfit then ({@link PythonContext.ReplayFailedException}).
     */
    void syncScopes(ModuleScopes scopes) {
        lock(lastLog);
        try {
            ModuleScopes.Snapshot snapshot = scopes.snapshot();
            if (snapshot.version() == scopesSeen) {
                return; // another thread synced meanwhile
            }
            Map<String, Object> dirs = new HashMap<>();
            snapshot.scopes().forEach((scope, dir) -> dirs.put(scope, dir.toString()));
            Map<String, Object> labels = new HashMap<>(snapshot.labels());
            Map<String, Object> routes = new HashMap<>(snapshot.routes());
            CallFrame frame = new CallFrame(Thread.currentThread(), System.nanoTime() + Timeouts.SCOPE_SYNC_TIMEOUT.toNanos(),
                    Timeouts.SCOPE_SYNC_TIMEOUT.toMillis(), "the update of module scopes", null);
            try {
                frames.run(frame, () -> {
                    syncScopes.execute(conversions.toPython(dirs), conversions.toPython(labels), conversions.toPython(routes));
                    onScopesChanged.run();
                });
            } catch (RuntimeException e) {
                throw new PythonContext.ReplayFailedException(name + " could not update its module scopes and was discarded: "
                        + e.getMessage(), e);
            }
            scopesSeen = snapshot.version();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs more of {@code rounds} rounds of a Jet job's per-context work (scope in, import, call,
     * scope out) over {@code directory}, a live scope's, for about {@code seconds}, under the lock: no sync of the
     * live scopes comes between a round's two syncs (each round restores what it found). The caller
     * holds the context in a frame. True once this context has run them all.
     */
    boolean warmUpJobs(String directory, double seconds, int rounds) {
        lock(lastLog);
        try {
            return warmUpJobs.execute(directory, seconds, rounds).asBoolean();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Bounded: another thread may hold the lock for the replay of the entries still pending (each
     * has its own timeout), a scope sync, and some slack.
     */
    private void lock(ExecLog log) {
        if (lock.isHeldByCurrentThread()) {
            lock.lock();
            return;
        }
        lastLog = log != null ? log : lastLog;
        long waitNanos = Timeouts.saturatedAdd(lockSlackNanos, Timeouts.SCOPE_SYNC_TIMEOUT.toNanos());
        ExecLog.Version v = log == null ? null : log.current();
        for (int i = applied; v != null && i < v.size(); i++) {
            waitNanos = Timeouts.saturatedAdd(waitNanos, v.get(i).timeoutNanos);
        }
        try {
            if (!lock.tryLock(waitNanos, TimeUnit.NANOSECONDS)) {
                throw new PyTimeoutException(name + " was busy replaying exec code or updating its module scopes for longer"
                        + " than " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyUnavailableException("interrupted while waiting for " + name + " to replay exec code or update"
                    + " its module scopes");
        }
    }
}
