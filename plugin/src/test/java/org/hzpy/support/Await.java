package org.hzpy.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a generous bound (a liveness check, not a timing assertion). */
public final class Await {
    private Await() {
    }

    /** @throws AssertionError naming {@code what} when the condition does not hold within {@code bound} */
    public static void until(Duration bound, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + bound + ": " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what);
            }
        }
    }
}
