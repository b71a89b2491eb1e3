package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.IAtomicLong;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The limit on the CP subsystem's IAtomicLongs, where the cluster has one (Enterprise with CP, or
 * community before 5.5). One IAtomicLong holds the limit (high 32 bits) and the permits held by all
 * members (low 32 bits), changed together by a {@link LimitFunction}; one per member counts what
 * that member holds, so the others can take it back when it leaves.
 *
 * <p>A lease adds to the total before the member's own count, and a return takes from the member's
 * count before the total: a member killed between the two strands those permits (at most one block)
 * rather than letting the cluster run more than its limit.
 */
final class AtomicLongLimitStore implements LimitStore {
    static final String BACKEND = "atomic-long";
    private final HazelcastInstance instance;
    private final IAtomicLong total;

    private AtomicLongLimitStore(HazelcastInstance instance, IAtomicLong total) {
        this.instance = instance;
        this.total = total;
    }

    /** The store when {@code instance}'s cluster serves IAtomicLongs, else empty. */
    static Optional<AtomicLongLimitStore> open(HazelcastInstance instance) {
        try {
            IAtomicLong total = instance.getCPSubsystem().getAtomicLong(NAME);
            total.get();
            return Optional.of(new AtomicLongLimitStore(instance, total));
        } catch (UnsupportedOperationException e) { // "CP subsystem is a licensed feature"
            return Optional.empty();
        }
    }

    private IAtomicLong heldBy(String member) {
        return instance.getCPSubsystem().getAtomicLong(NAME + ".member." + member);
    }

    @Override
    public CompletionStage<long[]> lease(String member, int n) {
        return total.getAndAlterAsync(new LimitFunction(LimitFunction.LEASE, n)).thenCompose(before -> {
            long max = LimitFunction.max(before);
            long held = LimitFunction.held(before);
            long granted = LimitStore.grant(max, held, n);
            long[] answer = {granted, held + granted, max};
            return granted == 0 ? CompletableFuture.completedFuture(answer)
                    : heldBy(member).addAndGetAsync(granted).thenApply(mine -> answer);
        });
    }

    @Override
    public void giveBack(String member, long n) {
        heldBy(member).addAndGet(-n);
        total.alter(new LimitFunction(LimitFunction.RETURN, n));
    }

    @Override
    public void reclaim(String member) {
        IAtomicLong mine = heldBy(member);
        long back = mine.getAndSet(0);
        if (back > 0) {
            total.alter(new LimitFunction(LimitFunction.RETURN, back));
        }
        mine.destroy();
    }

    @Override
    public void initMax(int max) {
        total.alter(new LimitFunction(LimitFunction.INIT_MAX, max));
    }

    @Override
    public void setMax(int max) {
        total.alter(new LimitFunction(LimitFunction.SET_MAX, max));
    }

    @Override
    public long[] read() {
        long s = total.get();
        return new long[] {LimitFunction.held(s), LimitFunction.max(s)};
    }

    @Override
    public String backend() {
        return BACKEND;
    }
}
