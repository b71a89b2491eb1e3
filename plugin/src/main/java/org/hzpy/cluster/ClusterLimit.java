package org.hzpy.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.OverloadedException;
import org.hzpy.PySemaphore;
import org.hzpy.runtime.PermitSource;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster-wide limit on running Python calls, kept in a {@link LimitStore} (an IAtomicLong where
 * the cluster has a CP subsystem, an IMap entry otherwise). Each member leases permits in small
 * blocks and serves its calls from them with a CAS; permits it has not used for
 * {@value #IDLE_MILLIS} ms go back, so an idle member strands none; a member that leaves has its
 * permits reclaimed by the others. Thread-safe.
 */
final class ClusterLimit implements PermitSource, PySemaphore {
    private static final ILogger LOGGER = Logger.getLogger(ClusterLimit.class);
    private static final int BLOCK = 4;
    private static final long IDLE_MILLIS = 20;

    private final LimitStore store;
    private final String self;
    /**
     * Leased permits (bits 44-63), permits in use (bits 24-43) and an epoch that every acquire
     * advances (bits 0-23), changed together by one CAS: the call path pays no clock read and no
     * extra volatile write, and the returner sees from the epoch whether a tick passed unused.
     * (Both counts stay below 2^20: a member runs at most 1,000,000 calls and leases at most a block beyond.)
     */
    private final AtomicLong state = new AtomicLong();
    private final Thread returner;
    private volatile boolean running = true;
    /** Reads and changes of the limit itself, as a client makes them. */
    private final ClusterSemaphoreView view;

    ClusterLimit(HazelcastInstance member, LimitStore store, int configuredMax) {
        this.store = store;
        this.self = member.getCluster().getLocalMember().getUuid().toString();
        store.initMax(configuredMax);
        this.view = new ClusterSemaphoreView(store);
        member.getCluster().addMembershipListener(new MembershipListener() {
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

    @Override
    public void acquire() {
        while (true) {
            long s = state.get();
            if (used(s) < leased(s)) {
                long next = ((s + ONE_USED) & ~EPOCH_MASK) | ((s + 1) & EPOCH_MASK);
                if (state.compareAndSet(s, next)) {
                    return;
                }
                continue;
            }
            synchronized (this) { // one lease request at a time per member
                long now = state.get();
                if (used(now) < leased(now)) {
                    continue;
                }
                long[] r = store.lease(self, BLOCK);
                if (r[0] == 0) {
                    throw new OverloadedException((int) r[1], (int) r[2]);
                }
                state.addAndGet(r[0] << LEASED_SHIFT);
            }
        }
    }

    @Override
    public void release() {
        while (true) {
            long s = state.get();
            if (used(s) == 0) {
                return; // taken before the limit was in force
            }
            if (state.compareAndSet(s, s - ONE_USED)) {
                return;
            }
        }
    }

    /** Every {@value #IDLE_MILLIS} ms: leased permits not in use go back if no call started since the last look. */
    private void returnIdlePermits() {
        long lastEpoch = -1;
        while (running) {
            try {
                Thread.sleep(IDLE_MILLIS);
                long s = state.get();
                long epoch = s & EPOCH_MASK;
                if (epoch != lastEpoch) {
                    lastEpoch = epoch;
                    continue;
                }
                long spare = leased(s) - used(s);
                if (spare > 0 && state.compareAndSet(s, s - (spare << LEASED_SHIFT))) {
                    store.giveBack(self, spare);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    LOGGER.warning("hzpy could not return idle cluster permits: " + e);
                }
            }
        }
    }

    /** On shutdown: the permits this member holds go back at once. */
    void stop() {
        running = false;
        returner.interrupt();
        try {
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

    /** Permits held by members: in use, or leased and not yet given back (at most {@value #IDLE_MILLIS} ms idle). */
    @Override
    public int current() {
        return view.current();
    }

    @Override
    public void setMaxConcurrent(int max) {
        view.setMaxConcurrent(max);
    }
}
