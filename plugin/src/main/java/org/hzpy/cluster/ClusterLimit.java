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
    /** Leased permits (high 32 bits) and permits in use (low 32 bits), changed together by CAS. */
    private final AtomicLong state = new AtomicLong();
    private volatile long lastUseNanos;
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

    private static long pack(long leased, long used) {
        return (leased << 32) | used;
    }

    @Override
    public void acquire() {
        while (true) {
            long s = state.get();
            long leased = s >>> 32;
            long used = s & 0xFFFF_FFFFL;
            if (used < leased) {
                if (state.compareAndSet(s, s + 1)) {
                    lastUseNanos = System.nanoTime();
                    return;
                }
                continue;
            }
            synchronized (this) { // one lease request at a time per member
                if ((state.get() & 0xFFFF_FFFFL) < (state.get() >>> 32)) {
                    continue;
                }
                long[] r = store.lease(self, BLOCK);
                if (r[0] == 0) {
                    throw new OverloadedException((int) r[1], (int) r[2]);
                }
                state.addAndGet(r[0] << 32);
            }
        }
    }

    @Override
    public void release() {
        while (true) {
            long s = state.get();
            if ((s & 0xFFFF_FFFFL) == 0) {
                return; // taken before the limit was in force
            }
            if (state.compareAndSet(s, s - 1)) {
                lastUseNanos = System.nanoTime();
                return;
            }
        }
    }

    private void returnIdlePermits() {
        while (running) {
            try {
                Thread.sleep(IDLE_MILLIS);
                if (System.nanoTime() - lastUseNanos < TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS)) {
                    continue;
                }
                long s = state.get();
                long spare = (s >>> 32) - (s & 0xFFFF_FFFFL);
                if (spare > 0 && state.compareAndSet(s, s - (spare << 32))) {
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
