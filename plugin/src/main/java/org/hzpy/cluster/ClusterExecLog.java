package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import org.hzpy.PyResourceException;
import org.hzpy.PyUnavailableException;
import org.hzpy.runtime.PythonRuntime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's exec log: every {@code exec} that succeeded on the member it ran on, numbered
 * 1, 2, 3… in an IMap ({@value #MAP}; one backup by default, so it survives the loss of any one
 * member). Every member applies the entries it did not run itself to its own contexts, in number
 * order: at once for the member's own exec calls (the caller waits until every member has them),
 * through a map listener for anything else, and all of them when the member joins. Bounded by
 * {@code hzpy.exec-log-limit}. Thread-safe.
 */
final class ClusterExecLog {
    /** The IMap that holds the log: number → [origin member uuid, source, replay timeout nanos]. */
    static final String MAP = "hzpy.exec-log";
    private static final ILogger LOGGER = Logger.getLogger(ClusterExecLog.class);
    /** How long an exec waits for the other members to record it. */
    private static final Duration SPREAD_WAIT = Duration.ofSeconds(30);

    private final HazelcastInstance member;
    private final PythonRuntime runtime;
    private final int limit;
    private final ExecutorService listenerWork;
    private IMap<Long, List<Object>> map;
    private UUID self;
    /** Entries up to this number are in the local runtime's log. */
    private long appliedUpTo;

    ClusterExecLog(HazelcastInstance member, PythonRuntime runtime, int limit) {
        this.member = member;
        this.runtime = runtime;
        this.limit = limit;
        this.listenerWork = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hzpy-" + member.getName() + "-exec-log");
            t.setDaemon(true);
            return t;
        });
    }

    /** Once the member has joined: applies what the cluster recorded so far, then follows new entries. */
    synchronized void start() {
        self = member.getCluster().getLocalMember().getUuid();
        map = member.getMap(MAP);
        map.addEntryListener((EntryAddedListener<Long, List<Object>>) this::added, false);
        long newest = 0;
        for (Long n : map.keySet()) {
            newest = Math.max(newest, n);
        }
        catchUp(newest);
    }

    void stop() {
        listenerWork.shutdownNow();
    }

    /**
     * Runs {@code source} here (a failure throws and records nothing), records it in the cluster's
     * log and waits (bounded) until every other member has it in its own log.
     */
    void exec(String source, Duration timeout) {
        IMap<Long, List<Object>> log = started();
        if (log.size() >= limit) {
            throw new PyResourceException("the cluster's exec log is full: " + log.size() + " entries (hzpy.exec-log-limit="
                    + limit + "); restart the cluster, or raise the limit, to define more");
        }
        long timeoutNanos = runtime.timeoutNanosOf(timeout);
        runtime.exec(source, timeout);
        List<Object> entry = List.of(self.toString(), source, timeoutNanos);
        long n;
        synchronized (this) {
            n = appliedUpTo + 1;
            while (log.putIfAbsent(n, new ArrayList<>(entry)) != null) {
                n++;
            }
        }
        catchUp(n);
        spread(n);
    }

    private void spread(long upTo) {
        Map<Member, Future<Boolean>> sent = member.getExecutorService(HzpyPlugin.EXECUTOR)
                .submitToMembers(new ApplyExecLog(upTo), otherMembers());
        long deadline = System.nanoTime() + SPREAD_WAIT.toNanos();
        for (Future<Boolean> f : sent.values()) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) { // a member left or is slow: its listener or its start-up catches up
                LOGGER.warning("hzpy: a member did not confirm exec log entry " + upTo + ": " + e);
            }
        }
    }

    private List<Member> otherMembers() {
        List<Member> others = new ArrayList<>();
        for (Member m : member.getCluster().getMembers()) {
            if (!m.localMember() && !m.isLiteMember()) {
                others.add(m);
            }
        }
        return others;
    }

    private void added(EntryEvent<Long, List<Object>> event) {
        long n = event.getKey();
        try {
            listenerWork.execute(() -> catchUp(n));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    /** Puts every entry up to {@code upTo} that this member did not run itself into its runtime's log, in order. */
    synchronized void catchUp(long upTo) {
        IMap<Long, List<Object>> log = started();
        while (appliedUpTo < upTo) {
            long n = appliedUpTo + 1;
            List<Object> entry = log.get(n);
            if (entry == null) {
                LOGGER.warning("hzpy: exec log entry " + n + " is missing; later entries wait for it");
                return;
            }
            if (!self.toString().equals(entry.get(0))) {
                runtime.appendExec((String) entry.get(1), ((Number) entry.get(2)).longValue());
            }
            appliedUpTo = n;
        }
    }

    private IMap<Long, List<Object>> started() {
        IMap<Long, List<Object>> log = map;
        if (log == null) {
            throw new PyUnavailableException("hzpy's exec log is not ready: the member is still starting");
        }
        return log;
    }
}
