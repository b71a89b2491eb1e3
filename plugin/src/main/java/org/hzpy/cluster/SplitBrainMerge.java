package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a member does when Hazelcast merges it into another cluster after a split-brain (it was on
 * the smaller side): Hazelcast empties its data, gives it a new uuid, joins it to the other cluster
 * and keeps that cluster's entries of hzpy's maps ({@link OwnMaps}). On {@code MERGING} the member
 * stops trusting its former cluster's secret; on {@code MERGED} (or {@code MERGE_FAILED}, after which
 * its data is gone too) it takes the cluster's secret as a joiner does, then the cluster's
 * deployments, its exec log (recording again the execs it ran itself that the cluster lacks) and
 * its cluster-wide limit under the new uuid.
 *
 * <p>The lifecycle thread only starts this; the work runs on a daemon thread of its own, each step
 * bounded, all of it within {@link #WAIT}, and {@link #stop} ends it when the member shuts down.
 * Thread-safe.
 */
final class SplitBrainMerge {
    private static final ILogger LOGGER = Logger.getLogger(SplitBrainMerge.class);
    /** How long the member looks for the merged cluster's secret (as a joiner does). */
    private static final Duration TRUST_WAIT = Duration.ofSeconds(60);
    /** How long the rest may take, reads the maps do not answer retried within it. */
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final HazelcastInstance member;
    private final ClusterTrust trust;
    private final ClusterDeployments deployments;
    private final ClusterExecLog execLog;
    private final Supplier<ClusterLimit> clusterLimit;
    private Thread rejoining;
    private boolean stopped;

    SplitBrainMerge(HazelcastInstance member, ClusterTrust trust, ClusterDeployments deployments, ClusterExecLog execLog,
                    Supplier<ClusterLimit> clusterLimit) {
        this.member = member;
        this.trust = trust;
        this.deployments = deployments;
        this.execLog = execLog;
        this.clusterLimit = clusterLimit;
    }

    /** {@code MERGING}: from now on nothing of the former cluster verifies here, and nothing is signed. A moment's work. */
    synchronized void merging() {
        if (rejoining != null) {
            rejoining.interrupt(); // a rejoin after an earlier merge: this merge's rejoin starts over
        }
        trust.forget();
        LOGGER.warning("hzpy: this member merges into another cluster (a split-brain healed); it runs no exec and no"
                + " deployment change until it holds that cluster's secret");
    }

    /** {@code MERGED} or {@code MERGE_FAILED}: starts the rejoin on a thread of its own and returns. */
    synchronized void merged() {
        if (stopped) {
            return;
        }
        Thread t = new Thread(this::rejoin, "hzpy-" + member.getName() + "-merge");
        t.setDaemon(true);
        rejoining = t;
        t.start();
    }

    /** The member shuts down: a rejoin still running ends (its waits are interruptible). */
    synchronized void stop() {
        stopped = true;
        if (rejoining != null) {
            rejoining.interrupt();
        }
    }

    private void rejoin() {
        trust.start(TRUST_WAIT);
        if (!trust.ready()) {
            return; // interrupted: the member shuts down, or merges again
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        // deployments first: exec code may import deployed modules
        Map<String, String> problems = retried("its deployments", deadline, deployments::rejoin);
        if (problems != null && !problems.isEmpty()) {
            LOGGER.warning("hzpy: after the merge this member could not apply these deployments yet: " + problems);
        }
        Integer again = retried("its exec log", deadline, execLog::rejoin);
        ClusterLimit limit = clusterLimit.get();
        if (limit != null) {
            retried("its cluster-wide limit", deadline, () -> {
                limit.rejoin();
                return true;
            });
        }
        if (again != null) {
            LOGGER.info("hzpy: this member merged into the cluster and follows its exec log and deployments"
                    + (again > 0 ? "; it recorded again " + again + " exec(s) it ran during the split, after the cluster's" : ""));
        }
    }

    /** {@code step}'s answer; tried again while the maps do not answer, until {@code deadline}; null if it never succeeded. */
    private <T> T retried(String what, long deadline, Supplier<T> step) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                return step.get();
            } catch (RuntimeException e) {
                if (System.nanoTime() - deadline > 0) {
                    LOGGER.severe("hzpy: after the merge this member could not take over " + what + " of the cluster within "
                            + WAIT.toSeconds() + " s (" + e + "); restart the member so that it joins afresh", e);
                    return null;
                }
                LOGGER.fine("hzpy: after the merge, " + what + " failed (" + e + "); trying again");
                try {
                    Thread.sleep(RETRY_PAUSE.toMillis());
                } catch (InterruptedException ie) {
                    return null;
                }
            }
        }
        return null;
    }
}
