package org.hzpy.bench;

/** A CPU-bound pure-Java loop, to see how far this machine scales from one thread to more. */
final class Spin {
    private static volatile long sink;

    private Spin() {
    }

    /** Runs {@code threads} threads for {@code millis} ms; returns the blocks of work they finished together. */
    static long run(int threads, long millis) throws InterruptedException {
        long[] done = new long[threads];
        Thread[] ts = new Thread[threads];
        long end = System.nanoTime() + millis * 1_000_000L;
        for (int i = 0; i < threads; i++) {
            int k = i;
            ts[i] = new Thread(() -> done[k] = spinUntil(end), "spin-" + i);
            ts[i].start();
        }
        long total = 0;
        for (int i = 0; i < threads; i++) {
            ts[i].join();
            total += done[i];
        }
        return total;
    }

    private static long spinUntil(long endNanos) {
        long x = 1;
        long blocks = 0;
        while (System.nanoTime() < endNanos) {
            for (int i = 0; i < 10_000; i++) { // xorshift: no memory traffic, nothing to optimize away
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            blocks++;
        }
        sink += x;
        return blocks;
    }
}
