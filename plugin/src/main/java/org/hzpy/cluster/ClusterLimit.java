package org.hzpy.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.OverloadedException;
import org.hzpy.PySemaphore;
import org.hzpy.PyUnavailableException;
import org.hzpy.runtime.PermitSource;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The cluster-wide limit on running Python calls, kept in a {@link LimitStore} (an IAtomicLong where
 * the cluster has a CP subsystem, an IMap entry otherwise). Each member leases permits in blocks
 * (larger when more callers wait) and serves its calls from them with a CAS; permits it has not
 * used for {@value #IDLE_MILLIS} ms go back (up to a second for a member whose load comes in
 * bursts, so that it does not lease and return around every burst), so an idle member strands
 * none for long; a member that leaves has its permits reclaimed by the others. The store shares
 * the limit fairly: while another member starves for permits, it tells this one how many to keep
 * at most ({@link #keepAtMost}), and permits beyond that go back as their calls end rather than to
 * this member's next caller.
 *
 * <p>A lease is a remote operation, so no caller runs it and no lock is held across it: a member
 * has at most one lease in flight, which every caller short of permits joins. A synchronous caller
 * waits for it at most the lease wait (5 s); an asynchronous one ({@link #acquireAsync()}) never
 * waits, its call goes on when the lease lands. A lease the store does not answer within the lease
 * wait fails its callers with {@link PyUnavailableException}, and every later caller at once, until
 * the store answers.
 *
 * <p>After a split-brain merge ({@link #rejoin}) the member leases under its new uuid (Hazelcast gives
 * a merging member a new one, and reclaims by it when the member leaves), the permits it had leased
 * from its former cluster's store count for nothing (that store's entry was dropped in the merge),
 * and its calls still running hold permits that the merged cluster's store does not count: the
 * member starts no new call until its leases from that store exceed them. A lease asked under the
 * former uuid that lands after the merge goes back at once. Thread-safe.
 */
final class ClusterLimit implements PermitSource, PySemaphore {
    private static final ILogger LOGGER = Logger.getLogger(ClusterLimit.class);
    /** The smallest lease: a member asks for more when more callers wait for it ({@link #leaseSize()}). */
    private static final int BLOCK = LimitStore.BLOCK;
    /** The largest lease: a burst of callers on one member is served in a few leases, not one per block. */
    static final int MAX_LEASE = 256;
    private static final long IDLE_MILLIS = 20;
    /**
     * The most looks without a call before spare permits go back (50: a second). A member whose
     * load comes in bursts would otherwise return and re-lease permits around every burst: two
     * store operations each time, on the one partition every member's leases share (P14: 100
     * such members would need 1.5-1.8x what that partition can apply).
     */
    private static final int MAX_IDLE_LOOKS = 50;
    /** A lease asked this soon after a return means the return was premature: wait longer next time. */
    private static final long CHURN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** When spare permits last went back (the returner writes it; leases read it). */
    private volatile long lastReturnNanos = System.nanoTime() - CHURN_NANOS;
    /** Leases asked within CHURN_NANOS of a return, not yet seen by the returner. */
    private final java.util.concurrent.atomic.AtomicInteger premature = new java.util.concurrent.atomic.AtomicInteger();
    private static final long SETTLE_MILLIS = 1000;
    /** When the returner last settled this member's record with the store (its thread only). */
    private long lastSettled = System.nanoTime();
    /**
     * How long a caller may wait for a lease: a healthy store answers in about a millisecond, but a
     * loaded 2-core machine has taken over 1 s (a client call then failed in MetricsTest).
     */
    static final Duration LEASE_WAIT = Duration.ofSeconds(5);
    /** How long stop() waits for a store operation the returner has begun (a re-sent return takes a few). */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    private static final CompletableFuture<Void> TAKEN = CompletableFuture.completedFuture(null);

    private final LimitStore store;
    /** The member's uuid, under which the store keeps its permits; a merge changes it. */
    private volatile String self;
    /** Leases asked under a former uuid that landed after a merge, given back by the returner. */
    private final java.util.Queue<StrayLease> strayLeases = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** {@code permits} the store granted to {@code uuid}, a uuid this member had before a merge. */
    private record StrayLease(String uuid, long permits) {
    }
    private final long leaseWaitNanos;
    /**
     * Leased permits (bits 44-63), permits in use (bits 24-43) and an epoch that every acquire
     * advances (bits 0-23), changed together by one CAS: the call path pays no clock read and no
     * extra volatile write, and the returner sees from the epoch whether a tick passed unused.
     * (Both counts stay below 2^20: a member runs at most 1,000,000 calls and leases at most a block beyond.)
     */
    private final AtomicLong state = new AtomicLong();
    /**
     * How many leased permits this member keeps while another member starves for one (the store's
     * word, from a lease or a settle answer); {@link Long#MAX_VALUE} otherwise. A permit released
     * above it leaves the member: {@link #owed} to the store, which the returner gives back.
     */
    private volatile long keepAtMost = Long.MAX_VALUE;
    /** Until when the store's last word holds: a cap not renewed (by a lease or a settle) is lifted then. */
    private volatile long capUntilNanos;
    /** How long a cap holds without renewal: beyond a settle's interval, so a member that does not lease hears again first. */
    private static final long CAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2 * SETTLE_MILLIS);
    /** Permits released above the cap, not yet given back to the store (the returner does). */
    private final AtomicLong owed = new AtomicLong();
    /** Callers waiting for a lease now: the next lease asks for enough for all of them. */
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    /** The lease in flight, if any; cleared when the store answers it (not when its waiters give up). */
    private final AtomicReference<Lease> inFlight = new AtomicReference<>();
    private final Thread returner;
    private final UUID membershipListener;
    private final HazelcastInstance member;
    private volatile boolean running = true;
    /** Reads and changes of the limit itself, as a client makes them. */
    private final ClusterSemaphoreView view;

    ClusterLimit(HazelcastInstance member, LimitStore store, int configuredMax) {
        this(member, store, configuredMax, LEASE_WAIT);
    }

    ClusterLimit(HazelcastInstance member, LimitStore store, int configuredMax, Duration leaseWait) {
        this.store = store;
        this.member = member;
        this.self = member.getCluster().getLocalMember().getUuid().toString();
        this.leaseWaitNanos = leaseWait.toNanos();
        store.initMax(configuredMax);
        this.view = new ClusterSemaphoreView(store);
        membershipListener = member.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                try { // every survivor asks: reclaiming twice is harmless
                    store.reclaim(event.getMember().getUuid().toString());
                } catch (RuntimeException e) {
                    LOGGER.warning("hzpy could not reclaim the cluster permits of " + event.getMember() + ": " + e);
                }
            }
        });
        returner = new Thread(this::returnIdlePermits, "hzpy-" + member.getName() + "-cluster-limit");
        returner.setDaemon(true);
        returner.start();
        LOGGER.info("hzpy cluster-wide limit: " + maxConcurrent() + " concurrent Python calls (backend: " + store.backend() + ")");
    }

    private static final int LEASED_SHIFT = 44;
    private static final int USED_SHIFT = 24;
    private static final long COUNT_MASK = (1L << 20) - 1;
    private static final long EPOCH_MASK = (1L << USED_SHIFT) - 1;
    private static final long ONE_USED = 1L << USED_SHIFT;

    private static long leased(long s) {
        return s >>> LEASED_SHIFT;
    }

    private static long used(long s) {
        return (s >>> USED_SHIFT) & COUNT_MASK;
    }

    /** Takes a leased permit if one is free: one CAS, no remote operation (the call path's cost). */
    private boolean tryTake() {
        while (true) {
            long s = state.get();
            if (used(s) >= leased(s)) {
                return false;
            }
            long next = ((s + ONE_USED) & ~EPOCH_MASK) | ((s + 1) & EPOCH_MASK);
            if (state.compareAndSet(s, next)) {
                return true;
            }
        }
    }

    /**
     * Takes a permit; when none is leased here, waits for the member's lease in flight, at most the
     * lease wait in all.
     *
     * @throws OverloadedException    when the cluster has no permit free
     * @throws PyUnavailableException when the store does not answer within the lease wait, or fails
     */
    @Override
    public void acquire() {
        if (tryTake()) {
            return;
        }
        waiting.incrementAndGet();
        try {
            acquireWaiting();
        } finally {
            waiting.decrementAndGet();
        }
    }

    private void acquireWaiting() {
        long deadline = System.nanoTime() + leaseWaitNanos;
        while (true) {
            Lease lease = leaseNow();
            long[] answer;
            try {
                answer = lease.bounded.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw unanswered();
            } catch (ExecutionException e) {
                throw failure(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PyUnavailableException("interrupted while waiting for a lease of cluster-wide permits");
            }
            if (tryTake()) {
                return;
            }
            if (answer[0] == 0 || System.nanoTime() - deadline > 0) { // full, or others took what came
                throw new OverloadedException((int) answer[1], (int) answer[2]);
            }
        }
    }

    /**
     * Takes a permit without blocking: the returned future is done already when one is leased here,
     * else completes when the member's lease lands (failing as {@link #acquire()} throws).
     */
    @Override
    public CompletableFuture<Void> acquireAsync() {
        if (tryTake()) {
            return TAKEN;
        }
        CompletableFuture<Void> taken = new CompletableFuture<>();
        waiting.incrementAndGet();
        taken.whenComplete((v, e) -> waiting.decrementAndGet());
        takeWhenLeased(taken, System.nanoTime() + leaseWaitNanos);
        return taken;
    }

    private void takeWhenLeased(CompletableFuture<Void> taken, long deadline) {
        leaseNow().bounded.whenComplete((answer, error) -> {
            if (error != null) {
                taken.completeExceptionally(failure(error));
            } else if (tryTake()) {
                taken.complete(null);
            } else if (answer[0] == 0 || System.nanoTime() - deadline > 0) {
                taken.completeExceptionally(new OverloadedException((int) answer[1], (int) answer[2]));
            } else {
                takeWhenLeased(taken, deadline);
            }
        });
    }

    /**
     * How many permits a lease asks for: a block, or as many as callers wait for now, whichever is
     * more (at most {@link #MAX_LEASE}). A burst of n callers on a member then costs the store about
     * two leases rather than n/4 one after another, each a round trip its callers wait through.
     */
    private int leaseSize() {
        return Math.max(BLOCK, Math.min(MAX_LEASE, waiting.get()));
    }

    /** The member's lease in flight: joined if there is one, else started. */
    private Lease leaseNow() {
        while (true) {
            Lease current = inFlight.get();
            if (current != null) {
                return current;
            }
            Lease mine = new Lease();
            if (inFlight.compareAndSet(null, mine)) {
                mine.ask();
                return mine;
            }
        }
    }

    private PyUnavailableException unanswered() {
        return new PyUnavailableException("the cluster-wide limit's store (" + store.backend() + ") did not answer a"
                + " lease of permits within " + TimeUnit.NANOSECONDS.toMillis(leaseWaitNanos) + " ms: the member that"
                + " owns it" + storeOwner() + " may be unreachable; calls on " + member.getName() + " fail until it answers");
    }

    /** Where the store's entry lives as this member sees it now, for messages: the member a caller has lost. */
    private String storeOwner() {
        if (!MapLimitStore.BACKEND.equals(store.backend())) {
            return "";
        }
        try {
            com.hazelcast.cluster.Member owner = member.getPartitionService().getPartition(MapLimitStore.KEY).getOwner();
            return owner == null ? "" : " (" + owner.getAddress() + ")";
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** A new exception per caller (waiters share one answer): the lease timed out, or the store failed. */
    private PyUnavailableException failure(Throwable error) {
        Throwable cause = PyTask.unwrapped(error);
        if (cause instanceof TimeoutException) {
            return unanswered();
        }
        return new PyUnavailableException("hzpy could not lease cluster-wide permits from the member that owns them"
                + storeOwner() + ": " + cause);
    }

    /** One request to the store for a block of permits, and its answer as waiters see it. */
    private final class Lease {
        /** The store's answer {granted, held, max}, once its permits are in {@link #state}. */
        private final CompletableFuture<long[]> answer = new CompletableFuture<>();
        /** The answer, or a TimeoutException once the lease wait has passed: what waiters wait for. */
        final CompletableFuture<long[]> bounded = answer.copy().orTimeout(leaseWaitNanos, TimeUnit.NANOSECONDS);

        void ask() {
            if (System.nanoTime() - lastReturnNanos < CHURN_NANOS) {
                premature.incrementAndGet();
            }
            String askedAs = self;
            CompletionStage<long[]> asked;
            try {
                asked = store.lease(askedAs, leaseSize());
            } catch (RuntimeException e) {
                asked = CompletableFuture.failedFuture(e);
            }
            asked.whenComplete((r, e) -> {
                if (e == null && !askedAs.equals(self)) { // the member merged meanwhile: these permits are not its own
                    strayLeases.add(new StrayLease(askedAs, r[0]));
                    inFlight.compareAndSet(this, null);
                    answer.completeExceptionally(new PyUnavailableException("this member merged into another cluster"
                            + " while it leased cluster-wide permits; try again"));
                    return;
                }
                if (e == null && r[0] > 0) {
                    state.addAndGet(r[0] << LEASED_SHIFT);
                }
                if (e == null && r.length > 3) {
                    capAt(r[3]);
                }
                inFlight.compareAndSet(this, null); // first: a waiter that finds no permit then asks anew
                if (e != null) {
                    answer.completeExceptionally(e);
                } else {
                    answer.complete(r);
                }
            });
        }
    }

    @Override
    public void release() {
        long cap = keepAtMost;
        while (true) {
            long s = state.get();
            if (used(s) == 0) {
                return; // taken before the limit was in force
            }
            // another member starves: this permit goes back to the store (unless more run here than are
            // leased: after a merge, calls that began under the former cluster's store end uncounted)
            if (leased(s) > cap && used(s) <= leased(s)) {
                owed.incrementAndGet(); // first: a settle meanwhile counts it as still held here (safe), never as gone
                if (state.compareAndSet(s, s - ONE_USED - (1L << LEASED_SHIFT))) {
                    return;
                }
                owed.decrementAndGet();
            } else if (state.compareAndSet(s, s - ONE_USED)) {
                return;
            }
        }
    }

    /**
     * A permit in use here goes on to a caller of this member who waited for it, unless another
     * member starves for permits and this one holds more than the store lets it keep: then it goes
     * back, as {@link #release()} would (so a line of waiters here cannot hold the permits
     * another member is owed). Counts as a take: the returner sees the member busy.
     */
    @Override
    public boolean passOn() {
        while (true) {
            long s = state.get();
            // taken before the limit was in force, or leased from a store a merge dropped; or owed to the store
            if (used(s) == 0 || used(s) > leased(s) || leased(s) > keepAtMost) {
                release();
                return false;
            }
            long next = (s & ~EPOCH_MASK) | ((s + 1) & EPOCH_MASK);
            if (state.compareAndSet(s, next)) {
                return true;
            }
        }
    }

    /** The store's word, in each lease's and settle's answer: how many permits to keep while another member starves (-1: all). */
    private void capAt(long keep) {
        capUntilNanos = System.nanoTime() + CAP_NANOS;
        keepAtMost = keep >= 0 ? keep : Long.MAX_VALUE;
    }

    /**
     * Gives back the permits released above the cap, and lifts a cap the store has not renewed (as
     * if it had said -1). Returner only. A return that fails is not sent again: the next settle
     * brings the store's count to this member's, whether or not the return was applied.
     */
    private void payOwed() {
        for (StrayLease stray; (stray = strayLeases.poll()) != null; ) {
            store.giveBack(stray.uuid(), stray.permits());
            store.reclaim(stray.uuid()); // the former uuid's record, empty now: no member answers to it any more
        }
        if (keepAtMost != Long.MAX_VALUE && System.nanoTime() - capUntilNanos > 0) {
            keepAtMost = Long.MAX_VALUE;
        }
        long o = owed.get();
        if (o > 0) {
            try {
                store.giveBack(self, o);
            } finally {
                owed.addAndGet(-o);
            }
        }
    }

    /**
     * Every {@value #IDLE_MILLIS} ms: leased permits not in use go back once no call has started for
     * as many looks as this member's load needs. That starts at one look (20 ms) and doubles, up to
     * {@value #MAX_IDLE_LOOKS}, whenever a lease follows a return within half a second; a return
     * that no lease follows that soon halves it again.
     */
    private void returnIdlePermits() {
        long lastEpoch = -1;
        int quietLooks = 0;
        int looksNeeded = 1;
        boolean judged = true; // whether the last return has been judged premature or not
        while (running) {
            try {
                // parked, not slept: stop() wakes it without an interrupt, which would cut a
                // store operation in two (the IAtomicLong store's return is two operations)
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS));
                if (!running) {
                    return;
                }
                payOwed();
                if (premature.getAndSet(0) > 0) {
                    looksNeeded = Math.min(MAX_IDLE_LOOKS, looksNeeded * 2);
                    judged = true;
                } else if (!judged && System.nanoTime() - lastReturnNanos > CHURN_NANOS) {
                    looksNeeded = Math.max(1, looksNeeded / 2);
                    judged = true;
                }
                long s = state.get();
                long epoch = s & EPOCH_MASK;
                if (epoch != lastEpoch) {
                    lastEpoch = epoch;
                    quietLooks = 0;
                    settleNowAndThen(); // under load too: its answer carries the store's cap
                    continue;
                }
                long spare = leased(s) - used(s);
                if (spare > 0 && ++quietLooks >= looksNeeded && state.compareAndSet(s, s - (spare << LEASED_SHIFT))) {
                    store.giveBack(self, spare);
                    lastReturnNanos = System.nanoTime();
                    judged = false;
                    quietLooks = 0;
                }
                settleNowAndThen();
            } catch (RuntimeException e) {
                if (running) {
                    LOGGER.warning("hzpy could not return idle cluster permits: " + e);
                }
            }
        }
    }

    /**
     * At most every {@value #SETTLE_MILLIS} ms, with no lease in flight: the store's record of this
     * member is brought down to what it counts itself. A lease applied by an owner that died before
     * answering, or a return lost on the way, otherwise strands permits until this member leaves
     * (the chaos suite found one in half its rounds).
     */
    private void settleNowAndThen() {
        long now = System.nanoTime();
        if (now - lastSettled < TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS)) {
            return;
        }
        lastSettled = now;
        // what the store should count: leased here, and released above the cap but not yet given back
        long[] answer = store.settle(self, () -> inFlight.get() != null ? -1 : leased(state.get()) + owed.get());
        capAt(answer[1]);
        long back = answer[0];
        if (back > 0) {
            LOGGER.info("hzpy gave back " + back + " cluster-wide permit(s) the limit's store still counted for this member");
        }
    }

    /**
     * After a split-brain merge: leases from now on go under the member's new uuid; the permits
     * leased from the former cluster's store are forgotten (that store was dropped in the merge), so
     * that calls still running count against the next leases; what the store may hold under the
     * former uuid (a lease asked while the member merged) goes back. A store operation's time.
     */
    void rejoin() {
        String former = self;
        String now = member.getCluster().getLocalMember().getUuid().toString();
        if (former.equals(now)) {
            return;
        }
        self = now;
        owed.set(0);
        keepAtMost = Long.MAX_VALUE;
        while (true) {
            long s = state.get();
            if (state.compareAndSet(s, s & ~(COUNT_MASK << LEASED_SHIFT))) {
                break;
            }
        }
        try {
            store.reclaim(former);
        } catch (RuntimeException e) {
            LOGGER.warning("hzpy could not give back the cluster permits this member leased before it merged: " + e);
        }
    }

    /**
     * On shutdown: the permits this member holds go back at once. Waits (bounded) for a return the
     * returner has begun: cut short, it would leave the store counting permits nobody holds.
     */
    void stop() {
        running = false;
        LockSupport.unpark(returner);
        try {
            returner.join(STOP_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (returner.isAlive()) {
            LOGGER.warning("hzpy's cluster-limit returner did not end within " + STOP_WAIT + "; interrupting it");
            returner.interrupt();
        }
        try {
            member.getCluster().removeMembershipListener(membershipListener);
            store.reclaim(self);
        } catch (RuntimeException e) {
            // the cluster reclaims them when it sees this member leave
        }
    }

    @Override
    public int maxConcurrent() {
        return view.maxConcurrent();
    }

    @Override
    public String backend() {
        return store.backend();
    }

    /** Permits held by members: in use, or leased and not yet given back (idle 20 ms to a second). */
    @Override
    public int current() {
        return view.current();
    }

    @Override
    public void setMaxConcurrent(int max) {
        view.setMaxConcurrent(max);
    }
}
