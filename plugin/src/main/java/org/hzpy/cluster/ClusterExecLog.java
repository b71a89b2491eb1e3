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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's exec log: every {@code exec} that succeeded on the member it ran on, numbered
 * 1, 2, 3… in an IMap ({@value #MAP}; one backup, no expiry, so it survives the loss of any one
 * member). Every member applies the entries it did not run itself to its own contexts, in number
 * order: at once for the member's own exec calls (the caller waits until every member has them),
 * through a map listener for anything else, and all of them when the member joins. Bounded by
 * {@code hzpy.exec-log-limit}. Thread-safe.
 *
 * <p>Clients can write to any IMap, so an entry is applied only when it carries the HMAC of its
 * number, origin, id, timeout and source under the {@link ClusterTrust} secret that only members
 * hold. Anything else in the map — a missing number, a value of another shape, an entry that does
 * not verify — is skipped with a warning and stalls nothing. Each entry has an id: a retried
 * {@code putIfAbsent} (Hazelcast retries it when the partition's owner dies after applying it) finds
 * its own entry and stops there, and an id seen before is never applied twice. A read the map does
 * not answer (not a value it cannot deserialize) stops the catch-up at that entry, which is read
 * again a moment later: nothing is skipped because the map was briefly unreachable.
 *
 * <p>After a split-brain merge ({@link #rejoin}) the member's log becomes the merged cluster's, and
 * the execs it ran itself that the cluster lacks are recorded again after the cluster's. While the
 * member merges it holds no secret: it records nothing and applies nothing (what arrives meanwhile
 * is read by the rejoin).
 */
final class ClusterExecLog {
    /** The IMap that holds the log: number → [origin member uuid, source, replay timeout nanos, exec id, HMAC]. */
    static final String MAP = "hzpy.exec-log";
    private static final ILogger LOGGER = Logger.getLogger(ClusterExecLog.class);
    /** How long an exec waits for the other members to record it (asked on the control executor: never behind calls). */
    private static final Duration SPREAD_WAIT = Duration.ofSeconds(30);
    /** Skipped entries are logged one by one up to this many per member, then counted only. */
    private static final int LOGGED_SKIPS = 20;
    /** How long a catch-up that the map did not answer waits before it reads the log again. */
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final HazelcastInstance member;
    private final PythonRuntime runtime;
    private final ClusterTrust trust;
    private final int limit;
    private final ScheduledExecutorService listenerWork;
    private IMap<Object, Object> map;
    /** This member's uuid: the origin of the entries it records (Hazelcast gives a merging member a new one). */
    private UUID self;
    /** The execs this member ran and recorded, by id in the order recorded: what a merge must not lose. */
    private final Map<String, Entry> ownExecs = new LinkedHashMap<>();
    /** Entries up to this number are in the local runtime's log. */
    private long appliedUpTo;
    /** The ids of the entries applied (or run here), so that none is applied twice. */
    private final Set<String> appliedIds = new HashSet<>();
    private long skipped;
    /** The entry whose read last failed, so that a retry loop warns once per entry. */
    private long unansweredWarnedAt;
    /** The number a pending retry catches up to; 0 when none is pending. */
    private long retryUpTo;

    ClusterExecLog(HazelcastInstance member, PythonRuntime runtime, ClusterTrust trust, int limit) {
        this.member = member;
        this.runtime = runtime;
        this.trust = trust;
        this.limit = limit;
        this.listenerWork = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hzpy-" + member.getName() + "-exec-log");
            t.setDaemon(true);
            return t;
        });
    }

    /** One verified entry of the log. */
    private record Entry(String origin, String source, long timeoutNanos, String id) {
        List<Object> signedAs(long n, ClusterTrust trust) {
            return new ArrayList<>(List.of(origin, source, timeoutNanos, id, trust.sign(fields(n))));
        }

        String[] fields(long n) {
            return new String[] {Long.toString(n), origin, source, Long.toString(timeoutNanos), id};
        }
    }

    /**
     * Once the member has joined and holds the cluster's secret: applies what the cluster recorded so
     * far, then follows new entries. Never throws: what cannot be read is logged and skipped.
     */
    synchronized void start() {
        self = member.getCluster().getLocalMember().getUuid();
        map = member.getMap(MAP);
        map.addEntryListener((EntryAddedListener<Object, Object>) this::added, false);
        long newest = 0;
        try {
            for (Map.Entry<Object, Object> e : map.entrySet()) {
                if (e.getKey() instanceof Long n && n > newest && verified(n, e.getValue()) != null) {
                    newest = n;
                }
            }
        } catch (RuntimeException e) { // a value no member can read: the entries are read one by one below
            LOGGER.warning("hzpy: could not read the exec log at once (" + e + "); reading it entry by entry");
            newest = newestOneByOne();
        }
        catchUp(newest);
    }

    private long newestOneByOne() {
        long newest = 0;
        for (Object key : map.keySet()) {
            try {
                if (key instanceof Long n && n > newest && verified(n, read(n)) != null) {
                    newest = n;
                }
            } catch (UnansweredRead e) { // read again later; the entries before it are applied now
                retryLater((Long) e.key, e);
            }
        }
        return newest;
    }

    void stop() {
        listenerWork.shutdownNow();
    }

    /**
     * Runs {@code source} here (a failure throws and records nothing), records it in the cluster's
     * log and waits (bounded) until every other member has it in its own log.
     */
    void exec(String source, Duration timeout, org.hzpy.runtime.CallStats.Origin origin) {
        IMap<Object, Object> log = started();
        trusted();
        if (log.size() >= limit) {
            throw new PyResourceException("the cluster's exec log is full: " + log.size() + " entries (hzpy.exec-log-limit="
                    + limit + "); restart the cluster, or raise the limit, to define more");
        }
        long timeoutNanos = runtime.timeoutNanosOf(timeout);
        runtime.exec(origin, source, timeout);
        long n = record(source, timeoutNanos, UUID.randomUUID().toString());
        catchUp(n);
        spread(n);
    }

    /**
     * Puts an exec this member ran into the first free number and returns that number. A slot that
     * already holds this very entry is its own earlier put (Hazelcast retried it): recorded once.
     */
    synchronized long record(String source, long timeoutNanos, String id) {
        IMap<Object, Object> log = started();
        trusted();
        appliedIds.add(id);
        ownExecs.putIfAbsent(id, new Entry(self.toString(), source, timeoutNanos, id));
        long n = appliedUpTo + 1;
        while (true) {
            List<Object> entry = signed(n, source, timeoutNanos, id);
            Object there = log.putIfAbsent(n, entry);
            if (there == null || entry.equals(there)) {
                return n;
            }
            n++;
        }
    }

    /** The number this member's next exec would take, if no one else takes it first. */
    synchronized long nextNumber() {
        return appliedUpTo + 1;
    }

    /** The log's value for an exec of this member at number {@code n}, signed. */
    List<Object> signed(long n, String source, long timeoutNanos, String id) {
        return new Entry(self.toString(), source, timeoutNanos, id).signedAs(n, trust);
    }

    private void spread(long upTo) {
        Map<Member, Future<Boolean>> sent = member.getExecutorService(MemberParts.CONTROL_EXECUTOR)
                .submitToMembers(new ApplyExecLog(upTo), MemberOps.otherDataMembers(member));
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

    private void added(EntryEvent<Object, Object> event) {
        if (!(event.getKey() instanceof Long n)) {
            return;
        }
        try {
            listenerWork.execute(() -> catchUp(n));
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    /**
     * Reads the log again up to {@code upTo} (or further, if asked meanwhile) after {@link #RETRY_PAUSE},
     * until it answers or the member stops; one retry pending at a time, however many catch-ups failed.
     */
    private void retryLater(long upTo, UnansweredRead why) {
        if (!why.key.equals(unansweredWarnedAt)) {
            unansweredWarnedAt = (Long) why.key;
            LOGGER.warning("hzpy: " + why.getMessage() + "; this member applies it, and the entries after it, once"
                    + " the log answers (it is read again every " + RETRY_PAUSE.toMillis() + " ms)");
        }
        boolean pending = retryUpTo > 0;
        retryUpTo = Math.max(retryUpTo, upTo);
        if (pending) {
            return;
        }
        try {
            listenerWork.schedule(this::retryNow, RETRY_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            retryUpTo = 0; // stopping
        }
    }

    private synchronized void retryNow() {
        long upTo = retryUpTo;
        retryUpTo = 0;
        catchUp(upTo);
    }

    /**
     * Puts every entry up to {@code upTo} that this member did not run itself into its runtime's log,
     * in order. Acts only when entry {@code upTo} itself verifies (anyone can send this request, or
     * add a key to the map); numbers in between that do not verify are skipped.
     */
    synchronized void catchUp(long upTo) {
        started(); // a member still starting has nothing to catch up with yet: it says so
        if (!trust.ready()) {
            return; // merging: nothing verifies now, and the rejoin reads the whole log
        }
        try {
            applyUpTo(upTo);
        } catch (UnansweredRead e) { // not the entry's fault: it is applied later, in its place
            retryLater(upTo, e);
        }
    }

    private void applyUpTo(long upTo) {
        if (upTo <= appliedUpTo || verified(upTo, read(upTo)) == null) {
            return;
        }
        while (appliedUpTo < upTo) {
            long n = appliedUpTo + 1;
            Object value = read(n);
            Entry entry = verified(n, value);
            if (entry == null) {
                skip(n, value);
            } else if (appliedIds.add(entry.id()) && !self.toString().equals(entry.origin())) {
                runtime.appendExec(entry.source(), entry.timeoutNanos());
            }
            appliedUpTo = n;
        }
    }

    /** Entry {@code n}'s value, or the exception of a value this member cannot deserialize ({@link UnansweredRead#read}). */
    private Object read(long n) {
        return UnansweredRead.read(started(), n);
    }

    /** Entry {@code n} if {@code value} is one that a member wrote and signed for that number; else null. */
    private Entry verified(long n, Object value) {
        if (!(value instanceof List<?> l) || l.size() != 5 || !(l.get(0) instanceof String origin)
                || !(l.get(1) instanceof String source) || !(l.get(2) instanceof Long timeout)
                || !(l.get(3) instanceof String id) || !(l.get(4) instanceof String mac)) {
            return null;
        }
        Entry e = new Entry(origin, source, timeout, id);
        return trust.verify(mac, e.fields(n)) ? e : null;
    }

    private void skip(long n, Object value) {
        skipped++;
        if (skipped <= LOGGED_SKIPS) {
            LOGGER.warning("hzpy: exec log entry " + n + " skipped: " + (value == null ? "it is missing"
                    : "it was not written by a member of this cluster (" + (value instanceof Throwable t ? "unreadable: " + t
                    : value.getClass().getName()) + ")") + (skipped == LOGGED_SKIPS ? "; further skips are counted only" : ""));
        }
    }

    /** Entries skipped so far: missing, malformed, or not signed by a member. */
    synchronized long skipped() {
        return skipped;
    }

    /**
     * After a split-brain merge, once the member holds the merged cluster's secret: the execs it ran
     * itself that the cluster lacks (by id) are recorded again, in their order, after the cluster's
     * entries; then its runtime's log becomes exactly the cluster's verified log (its contexts restart
     * and replay it). Entries of the member's former cluster that it did not run are dropped.
     *
     * @return how many of its own execs it recorded again
     * @throws UnansweredRead when the log does not answer (try again)
     */
    int rejoin() {
        int again = replaceWithClusterLog();
        if (again > 0) { // not under the monitor: the wait for the others is up to 30 s
            spread(nextNumber() - 1);
        }
        return again;
    }

    private synchronized int replaceWithClusterLog() {
        IMap<Object, Object> log = started();
        trusted();
        self = member.getCluster().getLocalMember().getUuid();
        TreeMap<Long, Entry> cluster = verifiedEntries(log);
        followUpTo(cluster); // record() numbers the re-recorded execs after the cluster's newest
        Set<String> known = new HashSet<>(appliedIds);
        int again = 0;
        for (Entry own : List.copyOf(ownExecs.values())) {
            if (!known.contains(own.id())) {
                record(own.source(), own.timeoutNanos(), own.id());
                again++;
            }
        }
        if (again > 0) { // read once more: other members may have recorded between the numbers this one took
            cluster = verifiedEntries(log);
        }
        List<PythonRuntime.ExecCode> code = new ArrayList<>();
        cluster.values().forEach(e -> code.add(new PythonRuntime.ExecCode(e.source(), e.timeoutNanos())));
        runtime.replaceExecLog(code);
        followUpTo(cluster);
        return again;
    }

    /** This member's log is {@code cluster}'s entries, applied up to its newest. */
    private void followUpTo(TreeMap<Long, Entry> cluster) {
        appliedIds.clear();
        cluster.values().forEach(e -> appliedIds.add(e.id()));
        appliedUpTo = cluster.isEmpty() ? 0 : cluster.lastKey();
    }

    /** Every entry of the log that verifies now, by number; the others are skipped (and logged). */
    private TreeMap<Long, Entry> verifiedEntries(IMap<Object, Object> log) {
        TreeMap<Long, Entry> out = new TreeMap<>();
        Map<Object, Object> all = new java.util.HashMap<>();
        try {
            for (Map.Entry<Object, Object> e : log.entrySet()) {
                all.put(e.getKey(), e.getValue());
            }
        } catch (com.hazelcast.nio.serialization.HazelcastSerializationException e) { // one by one: the rest still counts
            all.clear();
            for (Object key : log.keySet()) {
                all.put(key, UnansweredRead.read(log, key));
            }
        }
        for (Map.Entry<Object, Object> e : all.entrySet()) {
            Entry entry = e.getKey() instanceof Long n ? verified(n, e.getValue()) : null;
            if (entry != null) {
                out.put((Long) e.getKey(), entry);
            }
        }
        long newest = out.isEmpty() ? 0 : out.lastKey();
        for (long n = 1; n < newest; n++) {
            if (!out.containsKey(n)) {
                skip(n, all.get(n));
            }
        }
        return out;
    }

    /** Refuses to record while the member holds no secret (it is merging into another cluster). */
    private void trusted() {
        if (!trust.ready()) {
            throw new PyUnavailableException("this member is merging into another cluster (a split-brain healed) and records"
                    + " no exec code until it holds that cluster's secret; try again in a moment");
        }
    }

    private IMap<Object, Object> started() {
        IMap<Object, Object> log = map;
        if (log == null) {
            throw new PyUnavailableException("hzpy's exec log is not ready: the member is still starting");
        }
        return log;
    }
}
