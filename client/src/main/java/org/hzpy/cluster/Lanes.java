package org.hzpy.cluster;

import org.hzpy.ExecutionMode;
import org.hzpy.HzpySettings;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Runs a parallel batch's calls on a member at most as many at a time as it has contexts (or
 * executor slots in SHARED mode): more would only wait for a context or be refused by the limit.
 */
final class Lanes {
    private Lanes() {
    }

    /** How many of a batch's calls a member runs at once. */
    static int width(HzpySettings settings) {
        return settings.executionMode() == ExecutionMode.ISOLATED ? settings.contexts() : settings.executors();
    }

    /** Starts calls 0..count-1 through {@code start}, at most {@code width} running at once; completes when all have. */
    static CompletableFuture<Void> run(int count, int width, IntFunction<CompletableFuture<?>> start) {
        AtomicInteger next = new AtomicInteger();
        CompletableFuture<?>[] lanes = new CompletableFuture<?>[Math.max(1, Math.min(width, count))];
        for (int l = 0; l < lanes.length; l++) {
            CompletableFuture<Void> lane = new CompletableFuture<>();
            lanes[l] = lane;
            pump(next, count, start, lane);
        }
        return CompletableFuture.allOf(lanes);
    }

    /** A lane: starts the next call when its last one ends; loops (no recursion) over calls that end at once. */
    private static void pump(AtomicInteger next, int count, IntFunction<CompletableFuture<?>> start, CompletableFuture<Void> lane) {
        while (true) {
            int i = next.getAndIncrement();
            if (i >= count) {
                lane.complete(null);
                return;
            }
            CompletableFuture<?> call;
            try {
                call = start.apply(i);
            } catch (RuntimeException e) { // start() answers failures in its outcome; this is a bug guard
                call = CompletableFuture.completedFuture(null);
            }
            if (!call.isDone()) {
                call.whenComplete((v, e) -> pump(next, count, start, lane));
                return;
            }
        }
    }
}
