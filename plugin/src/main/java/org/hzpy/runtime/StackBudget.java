package org.hzpy.runtime;

import java.lang.management.ManagementFactory;

/**
 * How deep Python -> Java -> Python nesting may go on a thread. A thread's stack cannot be
 * measured, and running out of it is worse than a failed call: a StackOverflowError inside
 * GraalPy's class initialization leaves that class broken for the whole JVM ("Could not initialize
 * class ..."). So nesting is refused, as a RecursionError, at a depth the stack surely holds:
 * measured here, one level of cold (interpreted) nesting takes 20-40 KB; this allows 64 KB each.
 */
final class StackBudget {
    private static final long BYTES_PER_LEVEL = 64 * 1024;
    private static final long HZPY_THREAD_STACK = 16L * 1024 * 1024;
    /** Threads not started by hzpy: the JVM's default stack (-Xss), as far as it can be known. */
    private static final int DEFAULT_LEVELS = (int) Math.max(4, defaultStackBytes() / BYTES_PER_LEVEL);

    private StackBudget() {
    }

    /** The nesting allowed on the current thread. */
    static int nestingAllowed() {
        return Thread.currentThread() instanceof BigStackThread ? nestingOnHzpyThreads() : DEFAULT_LEVELS;
    }

    static int nestingOnHzpyThreads() {
        return (int) (HZPY_THREAD_STACK / BYTES_PER_LEVEL);
    }

    private static long defaultStackBytes() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            return Long.parseLong(vm.getVMOption("ThreadStackSize").getValue()) * 1024; // in KB
        } catch (RuntimeException | LinkageError e) {
            return 1024 * 1024; // the usual default on 64-bit Linux
        }
    }

    /** A thread of hzpy's own, with a stack of {@value #HZPY_THREAD_STACK} bytes. */
    static final class BigStackThread extends Thread {
        BigStackThread(Runnable r, String name) {
            super(null, r, name, HZPY_THREAD_STACK);
        }
    }
}
