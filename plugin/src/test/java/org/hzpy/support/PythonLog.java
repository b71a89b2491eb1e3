package org.hzpy.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What Python printed, as the member logs it ({@code hzpy.python.stdout}): a signal from inside
 * a context that tests can wait for without sleeping. Close it after the test.
 */
public final class PythonLog extends Handler implements AutoCloseable {
    private static final Logger STDOUT = Logger.getLogger("hzpy.python.stdout");
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private PythonLog() {
    }

    public static PythonLog capture() {
        PythonLog log = new PythonLog();
        STDOUT.addHandler(log);
        return log;
    }

    public boolean contains(String line) {
        return lines.contains(line);
    }

    /** Waits (at most {@code seconds}) until Python printed {@code line}. */
    public void await(String line, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!lines.contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Python did not print '" + line + "' within " + seconds + " s; it printed " + lines);
            }
            Thread.sleep(2);
        }
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(record.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        STDOUT.removeHandler(this);
    }
}
