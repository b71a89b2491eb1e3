package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import org.hzpy.PyCall;
import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PyOutcome;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Python work sent to members as tasks of hzpy's executor ({@value #EXECUTOR}). Used by
 * {@link org.hzpy.Py} on clients, and on members for calls keyed to another member; not meant to
 * be used directly. Needs no GraalPy. Thread-safe.
 */
public final class RemoteRuntime {
    /** The executor remote calls run on (hzpy-plugin's {@code HzpyPlugin.EXECUTOR}). */
    public static final String EXECUTOR = "hzpy";
    /** The executor hzpy's control messages run on (hzpy-plugin's {@code HzpyPlugin.CONTROL_EXECUTOR}). */
    public static final String CONTROL_EXECUTOR = "hzpy-control";
    /** How long a caller waits for a call without a timeout of its own (the member applies its default). */
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(10);
    /** Beyond a call's own timeout, how long a caller waits for the member's answer to arrive. */
    static final Duration ANSWER_SLACK = Duration.ofSeconds(30);
    /** Timeouts beyond this are waited for this long: "no practical limit" without overflow. */
    private static final Duration LONGEST_WAIT = Duration.ofDays(365L * 100);

    private final HazelcastInstance instance;
    private final IExecutorService executor;
    /** Cancellations travel apart from calls: they must never queue behind the calls they stop. */
    private final IExecutorService control;
    private final AtomicInteger nextMember = new AtomicInteger();
    /** Whether this caller is a member: its streams of keys owned elsewhere open as member code. */
    private final boolean onMember;
    /**
     * Call ids: unique in the cluster, cheap per call (a counter). They start with this caller's own
     * UUID (its client's or member's) and a colon: a member stops a caller's calls when that caller leaves.
     */
    private final String idPrefix;
    private static final AtomicLong INSTANCES = new AtomicLong();
    private final AtomicLong callIds = new AtomicLong();
    private static final long LOAD_REFRESH_MILLIS = 100;
    /** One daemon thread for every RemoteRuntime's load reads: they are rare and short. */
    private static final java.util.concurrent.Executor LOAD_READER = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hzpy-load-reader");
        t.setDaemon(true);
        return t;
    });
    private volatile Map<String, Integer> load = Map.of();
    private volatile long loadReadAt;
    private volatile boolean loadEverRead;
    /** How long a new caller's first unkeyed call waits for the members' published load. */
    private static final Duration FIRST_LOAD_WAIT = Duration.ofSeconds(2);
    private final AtomicBoolean loadRefreshing = new AtomicBoolean();
    /** The members' UUIDs as the load snapshot's keys ({@link #idOf}). */
    private final Map<UUID, String> memberIds = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_MEMBER_IDS = 1024;

    public RemoteRuntime(HazelcastInstance instance) {
        this.instance = instance;
        this.onMember = isMember(instance);
        this.executor = instance.getExecutorService(EXECUTOR);
        this.control = instance.getExecutorService(CONTROL_EXECUTOR);
        UUID self = instance.getLocalEndpoint().getUuid();
        // the instance number: each Py of one client has a RemoteRuntime of its own, counting from 1
        this.idPrefix = (self != null ? self : UUID.randomUUID()) + ":" + INSTANCES.incrementAndGet() + ":";
    }

    private static boolean isMember(HazelcastInstance instance) {
        try {
            instance.getCluster().getLocalMember();
            return true;
        } catch (UnsupportedOperationException e) { // a client has no local member
            return false;
        }
    }

    public Object call(PyCall call) {
        String what = what(call);
        Member target = call.key() == null ? nextMember() : ownerOf(call.key());
        if (target == null) {
            return awaitAnswer(callAsync(call), call.timeout(), what);
        }
        // Waits on Hazelcast's own future: a callback would add a hop through the client's executor
        String id = idPrefix + callIds.incrementAndGet();
        String where = target.getAddress().toString();
        Future<PyOutcome> answer;
        try {
            answer = executor.submitToMember(PyTask.call(call).cancellableAs(id), target);
        } catch (RejectedExecutionException | HazelcastInstanceNotActiveException e) {
            throw unavailable(e, where);
        }
        return await(answer, call.timeout(), what, where, () -> cancelOn(id, target)).get();
    }

    private void cancelOn(String id, Member target) {
        try {
            control.submitToMember(new CancelRemoteCall(id), target);
        } catch (RuntimeException e) {
            // the member is gone: so is the call
        }
    }

    /**
     * Runs the call on {@code call.key()}'s owner, or on the next member in turn. Cancelling the
     * future ({@code cancel(true)}) stops the Python call on the member, or keeps it from starting.
     */
    public CompletableFuture<Object> callAsync(PyCall call) {
        Member target = call.key() == null ? nextMember() : ownerOf(call.key());
        String id = idPrefix + callIds.incrementAndGet(); // not UUID.randomUUID(): SecureRandom per call
        PyTask task = PyTask.call(call).cancellableAs(id);
        if (target != null) {
            return submitTo(task, target, cancellable(() -> cancelOn(id, target)));
        }
        // the client does not know the key's owner yet: Hazelcast finds it, and a cancellation
        // goes to every member, as it is not known which one runs the call
        String where = "the owner of key " + call.key();
        CompletableFuture<Object> result = cancellable(() -> {
            try {
                control.submitToMembers(new CancelRemoteCall(id), dataMembers());
            } catch (RuntimeException e) {
                // no member left: no call either
            }
        });
        try {
            executor.submitToKeyOwner(task, call.key(), answer(result, where));
        } catch (RejectedExecutionException | HazelcastInstanceNotActiveException e) {
            result.completeExceptionally(unavailable(e, where));
        }
        return result;
    }

    /**
     * Opens {@code call} (a generator function) as a stream on {@code call.key()}'s owner, or on the
     * member with the most free permits, and returns it once it is open: its first batch came with
     * the answer; each later batch is one pull to that member. From a client the open passes the
     * member's remote policy as the same call would; from a member it is member code (a member-only
     * operation). The member lost, the next pull fails with {@link PyUnavailableException} naming it.
     *
     * @throws PyException the open's typed failure (refused, overloaded, the Python error, the member lost)
     */
    public org.hzpy.PyStream stream(PyCall call, int batchSize) {
        org.hzpy.PyStream.checkBatchSize(batchSize);
        String what = what(call);
        Member target = call.key() == null ? nextMember() : ownerOf(call.key());
        String id = idPrefix + callIds.incrementAndGet(); // its caller's UUID: the member ends the stream when the caller leaves
        PyTask task = PyTask.call(call).cancellableAs(id);
        CompletableFuture<PyOutcome> answer = new CompletableFuture<>();
        String where = target == null ? "the owner of key " + call.key() : target.getAddress().toString();
        ExecutionCallback<PyOutcome> callback = new ExecutionCallback<>() {
            @Override
            public void onResponse(PyOutcome outcome) {
                answer.complete(outcome);
            }

            @Override
            public void onFailure(Throwable t) {
                answer.completeExceptionally(t);
            }
        };
        try {
            if (target == null) { // a client that does not know the key's owner yet: Hazelcast finds it
                executor.submitToKeyOwner(new StreamOpen(task, batchSize), call.key(), callback);
            } else if (onMember) { // member code wherever it lands: only members can send this
                MemberOps.<PyOutcome>invoke(instance, new StreamOpenOp(task, batchSize), target).whenComplete((o, e) -> {
                    if (e != null) {
                        callback.onFailure(e);
                    } else {
                        callback.onResponse(o);
                    }
                });
            } else {
                executor.submitToMember(new StreamOpen(task, batchSize), target, callback);
            }
        } catch (RejectedExecutionException | HazelcastInstanceNotActiveException e) {
            throw unavailable(e, where);
        }
        PyOutcome outcome = await(answer, call.timeout(), what, where, () -> answer.thenAccept(late -> {
            if (late.isOk()) { // opened after all: ended at once, its permit must not wait for the idle timeout
                try {
                    Object streamId = RemoteStream.opened(late.value(), what)[0];
                    control.submitToMember(new StreamClose((String) streamId), target != null ? target : memberAt(late.servedBy(), what));
                } catch (RuntimeException e) {
                    // the member is gone: so is the stream
                }
            }
        }));
        Object[] opened = RemoteStream.opened(outcome.get(), what);
        Member servedBy = target != null ? target : memberAt(outcome.servedBy(), what);
        RemoteStream source = new RemoteStream(executor, control, servedBy, (String) opened[0], what,
                (org.hzpy.PyStream.Batch) opened[1], (PyException) opened[2]);
        Duration pullBound = call.timeout() == null ? DEFAULT_WAIT : call.timeout();
        return org.hzpy.PyStream.over(source, batchSize, pullBound.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : pullBound);
    }

    /** The member at {@code address} ({@code host:port}, as an outcome names it). */
    private Member memberAt(String address, String what) {
        for (Member m : instance.getCluster().getMembers()) {
            if (m.getAddress().toString().equals(address)) {
                return m;
            }
        }
        throw new PyUnavailableException(what + ": member " + address + " left the cluster as the stream opened");
    }

    /** A future whose {@code cancel} also runs {@code onCancel}: what stops the call on the member. */
    private static CompletableFuture<Object> cancellable(Runnable onCancel) {
        return new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                if (cancelled) {
                    onCancel.run();
                }
                return cancelled;
            }
        };
    }

    /** The key's owner as this instance knows it, or null (a client's partition table may not be loaded yet). */
    private Member ownerOf(Object key) {
        return instance.getPartitionService().getPartition(key).getOwner();
    }

    /**
     * The member with the most free permits as last published ({@link MemberLoad}, refreshed in the
     * background at most every {@value #LOAD_REFRESH_MILLIS} ms); among equals, each in turn.
     */
    private Member nextMember() {
        List<Member> members = dataMembers();
        return members.get(freest(freePermitsOf(members), Math.floorMod(nextMember.getAndIncrement(), members.size())));
    }

    /** Each member's free permits as last published; a member not in the snapshot as {@link #unknownMemberFree}. */
    private int[] freePermitsOf(List<Member> members) {
        String[] ids = new String[members.size()];
        Map<String, Integer> seen = load;
        boolean someoneNew = false;
        for (int k = 0; k < ids.length; k++) {
            ids[k] = idOf(members.get(k));
            someoneNew |= !seen.containsKey(ids[k]);
        }
        Map<String, Integer> free = freePermits(someoneNew); // joined since the last look: look again now (bounded)
        int unknown = unknownMemberFree(free);
        int[] result = new int[ids.length];
        for (int k = 0; k < ids.length; k++) {
            result[k] = free.getOrDefault(ids[k], unknown);
        }
        return result;
    }

    /** {@code member}'s UUID as text, made once per member: every unkeyed call looks its load up by it. */
    private String idOf(Member member) {
        UUID uuid = member.getUuid();
        String id = memberIds.get(uuid);
        if (id == null) {
            if (memberIds.size() >= MAX_MEMBER_IDS) {
                memberIds.clear(); // members come and go over a long-lived caller's life: keep the current ones
            }
            id = uuid.toString();
            memberIds.put(uuid, id);
        }
        return id;
    }

    /**
     * The member to take a call, looking from {@code start} on so that equals take turns: the first
     * one with the most free permits, where one permit fewer still counts as equal. The figures are
     * up to ~150 ms old (published every 50 ms, read every 100 ms), long enough to still show the
     * caller's own call that just ended: without the slack, one finished call sent a client's next
     * quick calls all to the other member. A member with no permit free is never equal to one with some.
     */
    private static int freest(int[] free, int start) {
        int most = Integer.MIN_VALUE;
        for (int f : free) {
            most = Math.max(most, f);
        }
        int enough = most > 0 ? Math.max(1, most - 1) : most;
        for (int k = 0; k < free.length; k++) {
            int m = (start + k) % free.length;
            if (free[m] >= enough) {
                return m;
            }
        }
        return start;
    }

    /**
     * What a member not in the load snapshot is taken to have free: nothing, since a member publishes
     * its load only once it serves remote work (it may still be joining) — unless the snapshot is
     * empty (not read yet), when members take turns.
     */
    private static int unknownMemberFree(Map<String, Integer> free) {
        return free.isEmpty() ? 1 : MemberLoad.UNHEALTHY;
    }

    /**
     * The members' published load, read again in the background at most every
     * {@value #LOAD_REFRESH_MILLIS} ms; {@code waitForIt}: this caller waits (at most
     * {@link #FIRST_LOAD_WAIT}) for that read, as the first caller always does.
     */
    private Map<String, Integer> freePermits(boolean waitForIt) {
        long now = System.nanoTime();
        if (now - loadReadAt > TimeUnit.MILLISECONDS.toNanos(LOAD_REFRESH_MILLIS) && loadRefreshing.compareAndSet(false, true)) {
            loadReadAt = now;
            CompletableFuture<Void> read = CompletableFuture.runAsync(() -> {
                try {
                    Map<String, Integer> snapshot = new java.util.HashMap<>();
                    for (Map.Entry<String, Integer> e : instance.<String, Integer>getMap(MemberLoad.MAP).entrySet()) {
                        snapshot.put(e.getKey(), e.getValue());
                    }
                    load = snapshot;
                    loadEverRead = true;
                } catch (RuntimeException e) {
                    // keep the last snapshot; members in turn meanwhile
                } finally {
                    loadRefreshing.set(false);
                }
            }, LOAD_READER);
            if (waitForIt || !loadEverRead) { // the first calls wait for it (bounded): without it they would go to any member, ready or not
                try {
                    read.get(FIRST_LOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // members in turn until it arrives
                }
            }
        }
        return load;
    }

    /**
     * Runs {@code calls} at once across the cluster: keyed calls grouped by their key's owner,
     * the others spread over the members by free permits; each member's group travels as one
     * {@link PyBatchTask}. A group for this member (when {@code local} is given: this is a member)
     * runs through {@code local} without serialization, as many at a time as {@code localSettings}
     * has contexts. One outcome per call, in order; a call's
     * failure, or its member's loss, is its own outcome and sinks no other.
     */
    public CompletableFuture<List<PyOutcome>> parallel(List<PyCall> calls,
            java.util.function.Function<PyCall, java.util.concurrent.CompletionStage<Object>> local,
            org.hzpy.HzpySettings localSettings) {
        String localAddress = local == null ? null : instance.getCluster().getLocalMember().getAddress().toString();
        PyOutcome[] out = new PyOutcome[calls.size()];
        Map<Member, List<Integer>> groups = new java.util.LinkedHashMap<>();
        List<Integer> unkeyed = new ArrayList<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            PyCall c = calls.get(i);
            if (c.key() == null) {
                unkeyed.add(i);
                continue;
            }
            Member owner = ownerOf(c.key());
            if (owner == null) { // a client that does not know the owner yet: Hazelcast finds it
                int at = i;
                pending.add(callAsync(c).handle((v, e) -> out[at] = PyTask.outcome(v, e, what(c), "the owner of key " + c.key())));
                continue;
            }
            groups.computeIfAbsent(owner, m -> new ArrayList<>()).add(i);
        }
        if (!unkeyed.isEmpty()) {
            spreadByLoad(unkeyed, groups);
        }
        for (Map.Entry<Member, List<Integer>> g : groups.entrySet()) {
            Member m = g.getKey();
            List<Integer> indices = g.getValue();
            if (local != null && m.localMember()) {
                pending.add(Lanes.run(indices.size(), Lanes.width(localSettings), k -> {
                    int i = indices.get(k);
                    PyCall c = calls.get(i);
                    CompletableFuture<Object> run;
                    try {
                        run = local.apply(c).toCompletableFuture();
                    } catch (RuntimeException e) {
                        run = CompletableFuture.failedFuture(e);
                    }
                    return run.handle((v, e) -> out[i] = PyTask.outcome(v, e, what(c), localAddress));
                }));
                continue;
            }
            List<PyTask> tasks = new ArrayList<>(indices.size());
            for (int i : indices) {
                tasks.add(PyTask.call(calls.get(i)));
            }
            String where = m.getAddress().toString();
            CompletableFuture<List<PyOutcome>> batch = new CompletableFuture<>();
            if (local != null) { // a member's parallel is member code wherever it lands: only members can send this
                try {
                    MemberOps.<ArrayList<PyOutcome>>invoke(instance, new MemberBatchOp(tasks), m).whenComplete((outcomes, e) -> {
                        if (e != null) {
                            batch.completeExceptionally(e);
                        } else {
                            batch.complete(outcomes);
                        }
                    });
                } catch (RuntimeException e) {
                    batch.completeExceptionally(e);
                }
            } else {
                try {
                    executor.submitToMember(new PyBatchTask(tasks), m, new ExecutionCallback<ArrayList<PyOutcome>>() {
                        @Override
                        public void onResponse(ArrayList<PyOutcome> outcomes) {
                            batch.complete(outcomes);
                        }

                        @Override
                        public void onFailure(Throwable t) {
                            batch.completeExceptionally(t);
                        }
                    });
                } catch (RuntimeException e) {
                    batch.completeExceptionally(e);
                }
            }
            pending.add(batch.handle((outcomes, e) -> {
                if (e != null && notStarted(e)) { // the member left before the batch ran: each call anew
                    List<CompletableFuture<?>> again = new ArrayList<>();
                    for (int i : indices) {
                        PyCall c = calls.get(i);
                        again.add(callAsync(c).handle((v, e2) -> out[i] = PyTask.outcome(v, e2, what(c), "a member")));
                    }
                    return CompletableFuture.allOf(again.toArray(new CompletableFuture[0]));
                }
                for (int k = 0; k < indices.size(); k++) {
                    out[indices.get(k)] = e == null ? outcomes.get(k) : PyOutcome.failed(unavailable(e, where), where);
                }
                return CompletableFuture.completedFuture(null);
            }).thenCompose(x -> x));
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).thenApply(v -> List.of(out));
    }

    /** {@code module.function()}, for messages. */
    private static String what(PyCall c) {
        return c.module() + "." + c.function() + "()";
    }

    /** Whether a task failed because its member was gone before it could start (it did not run). */
    private static boolean notStarted(Throwable e) {
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof TargetNotMemberException;
    }

    /**
     * Waits for {@link #parallel}'s outcomes: as long as {@code calls} could take one after another
     * (each its own timeout, or {@link #DEFAULT_WAIT}), plus {@link #ANSWER_SLACK}.
     */
    public static List<PyOutcome> awaitAll(CompletableFuture<List<PyOutcome>> outcomes, List<PyCall> calls) {
        Duration longest = Duration.ZERO;
        for (PyCall c : calls) {
            Duration t = c.timeout() == null ? DEFAULT_WAIT : c.timeout();
            longest = t.compareTo(longest) > 0 ? t : longest;
        }
        return await(outcomes, oneAfterAnother(longest, calls.size()), "parallel()", "the cluster", () -> outcomes.cancel(true));
    }

    /** {@code n} calls of at most {@code each}, one after another, saturating at {@link #LONGEST_WAIT}. */
    static Duration oneAfterAnother(Duration each, int n) {
        return each.compareTo(LONGEST_WAIT.dividedBy(Math.max(1, n))) > 0 ? LONGEST_WAIT : each.multipliedBy(n);
    }

    /** Assigns each unkeyed call to the member with the most free permits left after those assigned so far. */
    private void spreadByLoad(List<Integer> unkeyed, Map<Member, List<Integer>> groups) {
        List<Member> members = dataMembers();
        int[] left = freePermitsOf(members);
        int start = Math.floorMod(nextMember.getAndIncrement(), members.size());
        for (int i : unkeyed) {
            int best = freest(left, start);
            left[best]--;
            start = (best + 1) % members.size(); // equals take turns
            groups.computeIfAbsent(members.get(best), x -> new ArrayList<>()).add(i);
        }
    }

    public Object eval(String expression, Map<String, ?> locals, Duration timeout) {
        Member target = nextMember();
        String id = idPrefix + callIds.incrementAndGet(); // so that it stops when this caller leaves, or gives up waiting
        return awaitAnswer(submitTo(PyTask.eval(expression, locals, timeout).cancellableAs(id), target,
                cancellable(() -> cancelOn(id, target))), timeout, "eval()");
    }

    /** Runs {@code code} on one member, which records it in the cluster's exec log for every other member. */
    public void exec(String code, Duration timeout) {
        awaitAnswer(submitTo(PyTask.exec(code, timeout), nextMember(), new CompletableFuture<>()), timeout, "exec()");
    }

    /** Sends {@code task} to {@code member}; its answer completes {@code result}. */
    private CompletableFuture<Object> submitTo(PyTask task, Member member, CompletableFuture<Object> result) {
        String where = member.getAddress().toString();
        try {
            executor.submitToMember(task, member, answer(result, where));
        } catch (RejectedExecutionException | HazelcastInstanceNotActiveException e) {
            result.completeExceptionally(unavailable(e, where));
        }
        return result;
    }

    private static ExecutionCallback<PyOutcome> answer(CompletableFuture<Object> result, String where) {
        return new ExecutionCallback<>() {
            @Override
            public void onResponse(PyOutcome outcome) {
                try {
                    result.complete(outcome.get());
                } catch (PyException e) {
                    result.completeExceptionally(e);
                }
            }

            @Override
            public void onFailure(Throwable t) {
                result.completeExceptionally(unavailable(t, where));
            }
        };
    }

    private static PyException unavailable(Throwable t, String where) {
        return unavailable(t, where, null);
    }

    /**
     * Hazelcast's failure {@code t} of work sent to {@code where}: the member lost (left, killed,
     * disconnected, shut down) as {@link PyUnavailableException} naming it, anything else as {@link PyException}.
     *
     * @param stream the stream whose pull it was (its description), or null for a call
     */
    static PyException unavailable(Throwable t, String where, String stream) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof MemberLeftException || c instanceof TargetNotMemberException
                    || c instanceof com.hazelcast.spi.exception.TargetDisconnectedException
                    || c instanceof HazelcastInstanceNotActiveException || c instanceof RejectedExecutionException) {
                return new PyUnavailableException(stream == null
                        ? "the call could not complete on " + where + ": " + c.getMessage()
                        : stream + ": the stream ended, member " + where + " was lost: " + c.getMessage());
            }
        }
        return new PyException((stream == null ? "the call" : stream) + " failed on its way to or from " + where + ": " + t, t);
    }

    private List<Member> dataMembers() {
        List<Member> members = new ArrayList<>();
        for (Member m : instance.getCluster().getMembers()) {
            if (!m.isLiteMember()) {
                members.add(m);
            }
        }
        if (members.isEmpty()) {
            throw new PyUnavailableException("the cluster has no data member to run Python on");
        }
        return members;
    }

    /** How long a caller waits for an answer: the call's timeout (or {@link #DEFAULT_WAIT}) plus {@link #ANSWER_SLACK}. */
    static Duration waitFor(Duration timeout) {
        Duration own = timeout == null ? DEFAULT_WAIT : timeout;
        return (own.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : own).plus(ANSWER_SLACK);
    }

    private static Object awaitAnswer(CompletableFuture<Object> answer, Duration timeout, String what) {
        return await(answer, timeout, what, "the cluster", () -> answer.cancel(true));
    }

    /**
     * Waits for a remote answer: the call's timeout (or {@link #DEFAULT_WAIT}) plus {@link #ANSWER_SLACK}.
     * An hzpy exception comes out as it is; Hazelcast's own failures as {@link PyUnavailableException}.
     */
    private static <T> T await(Future<T> answer, Duration timeout, String what, String where, Runnable cancel) {
        Duration wait = waitFor(timeout);
        try {
            return answer.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PyException ? (PyException) e.getCause() : unavailable(e.getCause(), where);
        } catch (TimeoutException e) {
            cancel.run();
            throw new PyTimeoutException(what + ": no answer from the cluster within " + wait.toMillis() + " ms");
        } catch (InterruptedException e) {
            cancel.run();
            Thread.currentThread().interrupt();
            throw new PyCancelledException(what + ": interrupted while waiting for the cluster's answer");
        }
    }
}
