package org.hzpy.support;

import org.hzpy.Py;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checked after every test on the shared members: no permit leaked. (A call that is still
 * finishing on another thread gets a moment to release its permit.)
 */
public final class Invariants implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (Py py : TestMembers.started()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (py.semaphore().current() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(py.semaphore().current()).as("permits held after the test").isZero();
        }
    }
}
