package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.Logger;

import java.util.concurrent.CompletionStage;

/**
 * Where the cluster-wide limit is kept: the limit and the permits each member holds. Every change
 * is one atomic operation in the cluster. Members lease and give back blocks of permits through it;
 * clients only read and set the limit. Thread-safe.
 */
interface LimitStore {
    /** Name of the IMap, and of the IAtomicLongs, that hold the limit. */
    String NAME = "hzpy.cluster-limit";

    /**
     * Grants {@code member} up to {@code n} permits while the limit has room (one at a time near the
     * limit, so no member hoards); answers {granted, held by all members after, max}, and a store
     * that shares the limit fairly a fourth number: how many permits the member should keep at most
     * while another member starves for one, or -1 (keep them all). Never blocks: the answer comes
     * when the cluster gives it. A member has at most one lease in flight.
     */
    CompletionStage<long[]> lease(String member, int n);

    /**
     * Makes the store's record of what {@code member} holds no larger than {@code leased}, what the
     * member itself counts, provided no lease of it was applied since its last answered one. Heals
     * permits stranded by a lease applied by an owner that died before answering, or by a return
     * that was lost. Called from the thread that gives back; {@code leased} is read after the
     * store notes its last lease id, and is negative while a lease is in flight (then nothing is
     * done). Answers {the permits it gave back, how many the member should keep at most or -1}
     * (see {@link #lease}). A store that cannot tell gives back nothing and sets no cap.
     */
    default long[] settle(String member, java.util.function.LongSupplier leased) {
        return new long[] {0, -1};
    }

    /** {@code member} gives back {@code n} of the permits it holds. Called from one thread per member. */
    void giveBack(String member, long n);

    /** Every permit {@code member} holds goes back (it left the cluster, or is shutting down). */
    void reclaim(String member);

    /** Sets the limit when none is set yet (the first member to start sets it). */
    void initMax(int max);

    void setMax(int max);

    /** {held by all members, max}; max is 0 when the cluster has no limit in this store. */
    long[] read();

    /** Which implementation this is, as {@link org.hzpy.PySemaphore#backend()} reports it. */
    String backend();

    /** The usual lease: a member asks for more only when more callers wait for permits. */
    int BLOCK = 4;

    /**
     * Free permits for a lease of {@code n}: all of them while more than twice as many are free;
     * nearer the limit, a lease larger than a block (callers waiting in a burst) gets half of what
     * is free, and a block one permit at a time, so that no member hoards what others need.
     */
    static long grant(long max, long held, long n) {
        long free = max - held;
        if (free <= 0) {
            return 0;
        }
        if (free > 2 * n) {
            return n;
        }
        return n > BLOCK && free > 2L * BLOCK ? free / 2 : 1;
    }

    /**
     * The store a member uses, picked from {@code hzpy.cluster-limit-backend}: {@code auto} takes an
     * IAtomicLong when the cluster's CP subsystem serves one, else an IMap entry.
     *
     * @throws org.hzpy.PyUnavailableException if {@code atomic-long} was asked for and the cluster has no CP subsystem
     */
    static LimitStore forMember(HazelcastInstance member, String setting) {
        return switch (setting) {
            case AtomicLongLimitStore.BACKEND -> AtomicLongLimitStore.open(member).orElseThrow(() ->
                    new org.hzpy.PyUnavailableException("hzpy.cluster-limit-backend is atomic-long, but this cluster's"
                            + " CP subsystem serves no IAtomicLong (Enterprise-only since Hazelcast 5.5): set it to auto"
                            + " or imap-entry-processor"));
            case MapLimitStore.BACKEND -> new MapLimitStore(member);
            default -> AtomicLongLimitStore.open(member).<LimitStore>map(s -> s).orElseGet(() -> new MapLimitStore(member));
        };
    }

    /**
     * The store the members of {@code instance}'s cluster use, as a client finds it: the one that
     * holds a limit.
     *
     * @throws org.hzpy.PyUnavailableException if neither holds one
     */
    static LimitStore find(HazelcastInstance instance) {
        LimitStore store = AtomicLongLimitStore.open(instance).filter(s -> s.read()[1] > 0).<LimitStore>map(s -> s)
                .orElseGet(() -> new MapLimitStore(instance));
        if (store.read()[1] == 0) {
            throw new org.hzpy.PyUnavailableException("the cluster has no cluster-wide limit: set"
                    + " hzpy.cluster-max-concurrent in the members' hazelcast.yaml");
        }
        Logger.getLogger(LimitStore.class).fine("hzpy cluster-wide limit found in " + store.backend());
        return store;
    }
}
