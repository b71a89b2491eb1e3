package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;

/**
 * Where Python's output goes on this member: {@code print}/{@code sys.stdout}/{@code sys.stderr}
 * lines and {@code logging} records, to Hazelcast's logger as {@code hzpy.python.stdout},
 * {@code hzpy.python.stderr} and {@code hzpy.python.<logger name>}. Bounded: at most
 * {@link #LINES_PER_SECOND} lines a second for the whole member; the rest are dropped and counted,
 * and a line says how many once the flood has passed a second. Thread-safe.
 */
final class PythonLog {
    static final int LINES_PER_SECOND = 1000;
    private static final ILogger SELF = Logger.getLogger("hzpy.python");
    private static final int MAX_LOGGER_NAME = 200;

    private final LongAdder dropped = new LongAdder();
    private long window = Long.MIN_VALUE;
    private int used;
    private long droppedInWindow;

    /** Lines (and records) dropped so far because of the rate limit. */
    long dropped() {
        return dropped.sum();
    }

    /** Whether one more line may go out now; if not, it is counted as dropped. */
    boolean admit() {
        long second = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime());
        long report = 0;
        boolean admitted;
        synchronized (this) {
            if (second != window) {
                report = droppedInWindow;
                window = second;
                used = 0;
                droppedInWindow = 0;
            }
            admitted = used < LINES_PER_SECOND;
            if (admitted) {
                used++;
            } else {
                droppedInWindow++;
            }
        }
        if (!admitted) {
            dropped.increment();
        }
        if (report > 0) {
            SELF.warning(report + " lines of Python output were dropped in one second (more than " + LINES_PER_SECOND
                    + " a second on this member)");
        }
        return admitted;
    }

    /** A record of Python's {@code logging} module, at Python level {@code levelno}. */
    void record(String loggerName, int levelno, String message) {
        Level level = levelOf(levelno);
        String name = loggerName == null || loggerName.isEmpty() ? "root"
                : loggerName.length() > MAX_LOGGER_NAME ? loggerName.substring(0, MAX_LOGGER_NAME) : loggerName;
        ILogger logger = Logger.getLogger("hzpy.python." + name);
        if (logger.isLoggable(level) && admit()) {
            logger.log(level, message);
        }
    }

    /** Python's levels as java.util.logging's: DEBUG → FINE, INFO → INFO, WARNING → WARNING, ERROR and CRITICAL → SEVERE. */
    static Level levelOf(int levelno) {
        if (levelno >= 40) {
            return Level.SEVERE;
        } else if (levelno >= 30) {
            return Level.WARNING;
        } else if (levelno >= 20) {
            return Level.INFO;
        } else if (levelno >= 10) {
            return Level.FINE;
        }
        return Level.FINEST;
    }
}
