package org.hzpy.support;

import org.hzpy.Py;
import org.hzpy.PySemaphore;
import org.hzpy.PyUnavailableException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;

/**
 * Checked after every test on the shared members: no permit leaked, neither of the member's own
 * limit nor, on members that keep one, of the cluster-wide limit (a call still finishing on
 * another thread gets a moment to release its permit, and idle leases a moment to go back).
 */
public final class Invariants implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) {
        for (Py py : TestMembers.started()) {
            PySemaphore own = py.semaphore();
            Await.until(Duration.ofSeconds(5), "the member's permits back after the test", () -> own.current() == 0);
            PySemaphore cluster = clusterLimitOf(py);
            if (cluster != null) {
                Await.until(Duration.ofSeconds(10), "the cluster-wide permits back after the test", () -> cluster.current() == 0);
            }
        }
    }

    private static PySemaphore clusterLimitOf(Py py) {
        try {
            return py.clusterSemaphore();
        } catch (PyUnavailableException e) {
            return null; // this member keeps no cluster-wide limit
        }
    }
}
