package org.hzpy.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.client.impl.spi.impl.ClientInvocationServiceImpl;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyOutcome;
import org.hzpy.cluster.LimitStoreProbe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * P14: what a call costs the cluster in round trips and operations, counted with Hazelcast's own
 * counters (a client's call-id sequence; each member's executed operations) on two members with
 * the cluster-wide limit on; and how many changes per second the limit's store takes as the
 * number of members grows, for the extrapolation to a large cluster.
 */
final class P14RoundTrips implements Benchmark {
    private static final String SOURCE = "def echo(x):\n    return x\n";
    private static final int CALLS = 5000;
    private static final int BURSTS = 100;
    private static final int BURST = 10;
    private static final long GAP_MILLIS = 30;
    private static final int PARALLEL_ROUNDS = 200;
    private static final int PARALLEL_CALLS = 40;
    private static final int[] STORE_MEMBERS = {2, 100, 1000};
    private static final int STORE_THREADS = 32;
    private static final Duration STORE_RUN = Duration.ofSeconds(3);
    private static final int STORE_ROUNDS = 3;
    private static final int LOAD_READS = 200;
    /** The extrapolation's cluster: members, and calls per second on each. */
    private static final int BIG_CLUSTER = 100;
    private static final double CALLS_PER_MEMBER = 50_000;
    /** The longest a member's spare permits wait for a call before they go back (ClusterLimit: 50 looks of 20 ms). */
    private static final double MAX_IDLE_SECONDS = 1.0;
    /** How often a client that makes unkeyed calls reads the members' load (every 100 ms). */
    private static final double LOAD_READS_PER_SECOND = 10;

    @Override
    public String id() {
        return "P14";
    }

    @Override
    public String title() {
        return "Round trips: what a call costs the cluster, and the cluster-wide limit's store as members grow";
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(10);
    }

    @Override
    public Result run() throws Exception {
        Result result = new Result(id(), title());
        Consumer<Config> cluster = Members.oneCluster("hzpy-bench-p14", 2);
        Map<String, String> settings = Map.of("hzpy.contexts", "1", "hzpy.prewarm", "false",
                "hzpy.cluster-max-concurrent", "64");
        HazelcastInstance a = Members.start(settings, cluster.andThen(P14RoundTrips::quiet));
        HazelcastInstance b = Members.start(settings, cluster.andThen(P14RoundTrips::quiet));
        HazelcastInstance client = null;
        try {
            Py onA = Members.ready(a, 1);
            Members.ready(b, 1);
            Members.recordEngine(result, onA);
            onA.exec(SOURCE);
            ClientConfig clientConfig = new ClientConfig();
            clientConfig.setClusterName(a.getConfig().getClusterName());
            clientConfig.setProperty("hazelcast.logging.type", "jdk");
            clientConfig.getNetworkConfig().addAddress("127.0.0.1:" + a.getCluster().getLocalMember().getAddress().getPort());
            HazelcastInstance theClient = HazelcastClient.newHazelcastClient(clientConfig);
            client = theClient;
            Py fromClient = Py.on(theClient);
            String keyOnA = keyOwnedBy(client, a);
            String keyOnB = keyOwnedBy(client, b);
            Counted counted = new Counted(client, a, b);

            Table table = new Table("what", "units", "calls/s during the count", "client requests per unit (invocation ids)",
                    "operations executed by the members per unit");
            Measured keyed = counted.row(table, "keyed call from a client (serial)", CALLS, () -> {
                for (int i = 0; i < CALLS; i++) {
                    fromClient.call(PyCall.of("__main__", "echo", i).key(keyOnA));
                }
            });
            Measured unkeyed = counted.row(table, "unkeyed call from a client (serial)", CALLS, () -> {
                for (int i = 0; i < CALLS; i++) {
                    fromClient.call(PyCall.of("__main__", "echo", i));
                }
            });
            counted.row(table, "call on a member, cluster limit on (serial)", CALLS, () -> {
                for (int i = 0; i < CALLS; i++) {
                    onA.call("__main__", "echo", i);
                }
            });
            Measured bursts = counted.row(table, String.format("the same in bursts of %d calls %d ms apart (per burst)", BURST, GAP_MILLIS),
                    BURSTS, BURST, () -> {
                        for (int r = 0; r < BURSTS; r++) {
                            for (int i = 0; i < BURST; i++) {
                                onA.call("__main__", "echo", i);
                            }
                            sleep(GAP_MILLIS);
                        }
                    });
            List<PyCall> calls = new ArrayList<>();
            for (int i = 0; i < PARALLEL_CALLS; i++) {
                calls.add(PyCall.of("__main__", "echo", i).key(i % 2 == 0 ? keyOnA : keyOnB));
            }
            counted.row(table, String.format("`parallel` of %d keyed calls over 2 members, from a client (per parallel)",
                    PARALLEL_CALLS), PARALLEL_ROUNDS, PARALLEL_CALLS, () -> {
                        for (int r = 0; r < PARALLEL_ROUNDS; r++) {
                            for (PyOutcome o : fromClient.parallel(calls)) {
                                if (!o.isOk()) {
                                    throw new IllegalStateException("a parallel call failed: " + o);
                                }
                            }
                        }
                    });
            Measured loadReads = counted.row(table, "a client's read of the members' published load (`IMap.entrySet` of "
                    + "`hzpy.member-load`, which it repeats every 100 ms while it makes unkeyed calls)", LOAD_READS,
                    () -> {
                        for (int i = 0; i < LOAD_READS; i++) {
                            theClient.getMap("hzpy.member-load").entrySet();
                        }
                    });
            counted.row(table, "state increment from a member (key owned by the other)", CALLS, () -> {
                for (int i = 0; i < CALLS; i++) {
                    onA.state().incr(keyOnB);
                }
            });
            result.add(String.format("Two members in this JVM, one cluster (1 context each, `hzpy.cluster-max-concurrent: "
                    + "64`: the IMap backend, permits leased in blocks of 4, spare ones returned after 20 ms without a "
                    + "call), and a client. Hazelcast's partition anti-entropy is put off (`hazelcast.partition.backup"
                    + ".sync.interval`), so that what is counted is what the calls cost. Each row warms up first, then "
                    + "counts the client's requests (its invocation-id sequence: Hazelcast's client takes 2 ids for one "
                    + "executor task waited on through its future, 3 through a callback, as RoundTripsTest checks against "
                    + "bare tasks; 1 for an IMap read) and the operations both members executed "
                    + "(their operation service's count: partition and generic threads, local invocations and backups "
                    + "included) over the row's units; both counts include whatever ran meanwhile: hzpy's published "
                    + "load (every 50 ms while it changes), the limit's leases, returns and settling (1/s per member), "
                    + "heartbeats."));
            result.add(table.toMarkdown());

            Table store = new Table("members' records in the store", "store operations/s (median of " + STORE_ROUNDS + ")",
                    "µs per operation");
            double capacityAtBig = 0;
            for (int members : STORE_MEMBERS) {
                double[] rates = new double[STORE_ROUNDS];
                for (int r = 0; r < STORE_ROUNDS; r++) {
                    rates[r] = LimitStoreProbe.operationsPerSecond(a, members, STORE_THREADS, STORE_RUN);
                }
                double median = Stats.median(rates);
                store.row(String.valueOf(members), Stats.fmt(median), Stats.fmt(1e6 / median));
                result.fact("p14.store." + members, Stats.fmt(median));
                if (members == BIG_CLUSTER) {
                    capacityAtBig = median;
                }
                System.out.printf("P14: the limit's store with %d members' records: %.0f operations/s%n", members, median);
            }
            result.add(String.format("The cluster-wide limit's store (one IMap entry: the limit and each member's record, "
                    + "changed by an entry processor on the partition that owns it), driven by %d threads (each a member of its "
                    + "own) leasing and returning one permit at a time for %d s, with the records of 2, 100 and 1,000 members in it. Every "
                    + "lease and return of every member is applied there one after another (and again on its backup): "
                    + "this is the ceiling a large cluster meets.", STORE_THREADS, STORE_RUN.toSeconds()));
            result.add(store.toMarkdown());
            result.add(scalingOut(keyed, unkeyed, bursts, loadReads, capacityAtBig));
        } finally {
            if (client != null) {
                client.shutdown();
            }
            b.shutdown();
            a.shutdown();
        }
        return result;
    }

    /**
     * The figures above carried to {@value #BIG_CLUSTER} members each serving 50,000 calls/s: what hits
     * the limit's one partition, and what the load map costs clients that make unkeyed calls.
     */
    private static String scalingOut(Measured keyed, Measured unkeyed, Measured bursts, Measured loadReads,
                                     double storeCapacity) {
        double steady = BIG_CLUSTER * 1.0; // each member settles its record once a second; leases are held while calls keep coming
        // bursts: spare permits wait up to MAX_IDLE_SECONDS when a lease keeps following their return, so a member
        // whose load pauses just longer than that costs the store a return and a lease per pause
        double bursty = BIG_CLUSTER * (2 / MAX_IDLE_SECONDS + 1);
        double clientRequests = BIG_CLUSTER * CALLS_PER_MEMBER * keyed.roundTrips();
        double opsPerRead = loadReads.operations() / 2 * BIG_CLUSTER; // one query operation per member per read, measured on 2
        double readOpsPerClient = LOAD_READS_PER_SECOND * opsPerRead;
        String verdict = bursty <= storeCapacity / 2
                ? String.format("that uses %.0f%% of it", 100 * bursty / storeCapacity)
                : String.format("that needs %.1f× of it: such a cluster would have to shard the limit", bursty / storeCapacity);
        return "### Scaling out\n\n"
                + String.format("Carried to %d members each serving %,.0f calls/s (%,.0f calls/s in all), from the figures "
                        + "above:%n%n", BIG_CLUSTER, CALLS_PER_MEMBER, BIG_CLUSTER * CALLS_PER_MEMBER)
                + String.format("- **Keyed calls** cost %s client invocation ids (one executor task) and %s member "
                        + "operation(s) each: %,.0f invocations/s, spread over the partitions' owners like any keyed IMap traffic; nothing in hzpy "
                        + "funnels them through one place.%n", Stats.fmt(keyed.roundTrips()), Stats.fmt(keyed.operations()),
                        clientRequests)
                + String.format("- **The cluster-wide limit's partition** takes every member's leases, returns and "
                        + "settling. Under steady load a member keeps its lease while calls keep coming (only 20 ms without "
                        + "a call returns the spare permits) and settles its record once a second: about %,.0f store "
                        + "operations/s for the whole cluster. Load in bursts costs a return and a lease around each burst "
                        + "only until the member sees a lease follow its return within half a second: then its permits "
                        + "wait longer, up to a second (bursts 30 ms apart: %s store operations per burst here, its calls' "
                        + "own included). The worst case is a member whose load pauses just over a second each time: a "
                        + "return, a lease and its settling each second, %,.0f operations/s for the cluster. The store took "
                        + "%,.0f operations/s with %d members' records in it (above): %s. (Returning after 20 ms always, "
                        + "as before P14, a member could cost 2 operations per burst at 50 bursts/s: 10,000 operations/s "
                        + "for 100 members, more than that partition applied.) A burst of many callers on one member asks "
                        + "for as many permits as wait (up to %d in one lease; half of what is free near the limit), so it "
                        + "costs about two leases, not one per block of 4.%n", steady, Stats.fmt(bursts.operations()),
                        bursty, storeCapacity, BIG_CLUSTER, verdict, org.hzpy.cluster.LimitStoreProbe.MAX_LEASE)
                + String.format("- **Unkeyed calls** (%s client invocation ids each here) go to the member with the most "
                        + "free permits, which a client learns by reading the members' published load every 100 ms while it "
                        + "makes such calls: %s operations per read on 2 members here, so about %,.0f per read with %d "
                        + "members and %,.0f operations/s for each such client. A thousand such clients would make this "
                        + "the cluster's largest cost: in a large cluster send keyed calls, or from few clients, until the "
                        + "load travels with the answers (see the engineering notes). Members publish their load at most "
                        + "20 times a second each (when it changes; once a second otherwise).%n",
                        Stats.fmt(unkeyed.roundTrips()), Stats.fmt(loadReads.operations()), opsPerRead, BIG_CLUSTER,
                        readOpsPerClient);
    }

    /** Puts off Hazelcast's periodic partition anti-entropy (271 operations per member every 30 s). */
    private static void quiet(Config c) {
        c.setProperty("hazelcast.partition.backup.sync.interval", "3600");
    }

    private static String keyOwnedBy(HazelcastInstance client, HazelcastInstance member) {
        UUID owner = member.getCluster().getLocalMember().getUuid();
        for (int i = 0; ; i++) {
            String key = "p14-" + i;
            var p = client.getPartitionService().getPartition(key);
            if (p.getOwner() != null && p.getOwner().getUuid().equals(owner)) {
                return key;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Per unit of a row: client requests (invocation ids), member operations. */
    private record Measured(double roundTrips, double operations) {
    }

    /** Counts a workload's client requests and member operations (Hazelcast internals: no public API has them). */
    private record Counted(HazelcastInstance client, HazelcastInstance a, HazelcastInstance b) {
        Measured row(Table table, String what, int units, Runnable work) {
            return row(table, what, units, 1, work);
        }

        /** {@code callsPerUnit}: Python calls in one unit (a burst, a parallel), for the calls/s column. */
        Measured row(Table table, String what, int units, int callsPerUnit, Runnable work) {
            work.run(); // warm-up: the same work once, uncounted
            long sent = sent();
            long executed = executed(a) + executed(b);
            long t0 = System.nanoTime();
            work.run();
            double seconds = (System.nanoTime() - t0) / 1e9;
            double roundTrips = (sent() - sent) / (double) units;
            double operations = (executed(a) + executed(b) - executed) / (double) units;
            table.row(what, String.valueOf(units), Stats.fmt(units * callsPerUnit / seconds), Stats.fmt(roundTrips),
                    Stats.fmt(operations));
            System.out.printf("P14: %s: %.3f round trips, %.3f operations per unit%n", what, roundTrips, operations);
            return new Measured(roundTrips, operations);
        }

        private long sent() {
            return ((ClientInvocationServiceImpl) ((HazelcastClientProxy) client).client.getInvocationService())
                    .getCallIdSequence().getLastCallId();
        }

        private static long executed(HazelcastInstance member) {
            return ((HazelcastInstanceProxy) member).getOriginal().node.getNodeEngine().getOperationService()
                    .getExecutedOperationCount();
        }
    }
}
