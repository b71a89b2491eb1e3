package org.hzpy.support;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.StreamSource;
import com.hazelcast.map.IMap;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;

import java.util.concurrent.CompletableFuture;

/**
 * The chaos suite's Jet job: a stream of numbers through a Python stage ({@code chaosmod.jet_double})
 * into a counter ({@link #OUT} key {@code "items"}). Its source emits only while the IMap
 * {@link #CONTROL} says {@code "load" = true}, so that the suite can make the cluster quiet without
 * suspending the job. Submitted from the client; the members have these classes on their class path.
 * Stateless and thread-safe; each {@link PausableNumbers} is used by its one source processor only.
 */
public final class ChaosJetJob {
    public static final String CONTROL = "chaos.control";
    public static final String OUT = "chaos.jet-out";

    private ChaosJetJob() {
    }

    public static Job submit(HazelcastInstance client) {
        Pipeline p = Pipeline.create();
        p.readFrom(source()).withoutTimestamps()
                .apply(PyTransforms.<Long, Long>mapUsingPython(PyStageConfig.of("chaosmod", "jet_double").batchSize(8)))
                .writeTo(Sinks.<Long, String, Long>mapWithMerging(OUT, x -> "items", x -> 1L, Long::sum));
        JobConfig config = new JobConfig().setName("chaos").setProcessingGuarantee(ProcessingGuarantee.NONE);
        return client.getJet().newJob(p, config);
    }

    /** How many items the job's sink has counted (items may count twice after a restart: a measure of progress only). */
    public static long counted(HazelcastInstance client) {
        Object n = client.getMap(OUT).get("items");
        return n == null ? 0 : (Long) n;
    }

    public static void setLoad(HazelcastInstance client, boolean on) {
        client.getMap(CONTROL).set("load", on);
    }

    private static StreamSource<Long> source() {
        return SourceBuilder.stream("chaos-numbers", ctx -> new PausableNumbers(ctx.hazelcastInstance()))
                .<Long>fillBufferFn(PausableNumbers::fill)
                .build();
    }

    /** 5 numbers every 50 ms while the control says so; reads the control without blocking (the source may run on a cooperative thread). */
    static final class PausableNumbers {
        private final IMap<String, Boolean> control;
        private volatile boolean on;
        private CompletableFuture<Boolean> asking;
        private long lastAsked;
        private long lastEmitted;
        private long next;

        PausableNumbers(HazelcastInstance member) {
            this.control = member.getMap(CONTROL);
        }

        void fill(SourceBuilder.SourceBuffer<Long> buffer) {
            long now = System.nanoTime();
            if (asking == null && now - lastAsked > 100_000_000L) {
                lastAsked = now;
                asking = control.getAsync("load").toCompletableFuture();
            }
            if (asking != null && asking.isDone()) {
                on = !asking.isCompletedExceptionally() && Boolean.TRUE.equals(asking.getNow(false));
                asking = null;
            }
            if (on && now - lastEmitted > 50_000_000L) {
                lastEmitted = now;
                for (int i = 0; i < 5; i++) {
                    buffer.add(next++);
                }
            }
        }
    }
}
