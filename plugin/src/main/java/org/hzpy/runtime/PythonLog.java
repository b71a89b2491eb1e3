package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;

/**
 * Where Python's output goes on this member: {@code print}/{@code sys.stdout}/{@code sys.stderr}
 * lines and {@code logging} records, to Hazelcast's logger as {@code hzpy.python.stdout},
 * {@code hzpy.python.stderr} and {@code hzpy.python.<logger name>}.
 *
 * <p>Python threads never wait for the member's log: a line is handed to a bounded queue that one
 * writer thread empties (started on the first line, ended after {@link #WRITER_IDLE_MILLIS} without
 * any), so a slow log handler cannot hold a Python thread in host code, where no interrupt reaches
 * it. Bounded: at most {@link #LINES_PER_SECOND} lines a second for the whole member and at most
 * {@link #QUEUE_CAPACITY} waiting for the writer; the rest are dropped and counted, and a line says
 * how many once the flood has passed a second. At most {@link #MAX_LOGGERS} Python logger names get
 * a logger of their own in this JVM (Hazelcast keeps every logger it hands out for good): records of
 * further names go to {@code hzpy.python.other}, their name in front of the message. Thread-safe.
 */
final class PythonLog {
    static final int LINES_PER_SECOND = 1000;
    static final int QUEUE_CAPACITY = 512;
    static final int MAX_LOGGERS = 256;
    static final long WRITER_IDLE_MILLIS = 2000;
    /** A logging record's message is cut here (a print line is cut sooner, by {@link PythonOutput}). */
    static final int MAX_MESSAGE = 64 * 1024;
    private static final ILogger SELF = Logger.getLogger("hzpy.python");
    private static final ILogger OTHER = Logger.getLogger("hzpy.python.other");
    private static final int MAX_LOGGER_NAME = 200;
    /** JVM-wide, as Hazelcast's own logger cache that it bounds. */
    private static final ConcurrentHashMap<String, ILogger> NAMED = new ConcurrentHashMap<>();

    private final LongAdder dropped = new LongAdder();
    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicBoolean writing = new AtomicBoolean();
    private long window = Long.MIN_VALUE;
    private int used;
    private long droppedInWindow;

    private record Line(ILogger logger, Level level, String text) {
    }

    /** Lines (and records) dropped so far: over the rate, or with the writer's queue full. */
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
            queue.offer(new Line(SELF, Level.WARNING, report + " lines of Python output were dropped in one second (more than "
                    + LINES_PER_SECOND + " a second on this member)")); // if the queue is full, the meter still says it
            startWriter();
        }
        return admitted;
    }

    /** Logs {@code text} on the writer thread, if the member takes it now; never waits. */
    void write(ILogger logger, Level level, String text) {
        if (!logger.isLoggable(level) || !admit()) {
            return;
        }
        if (!queue.offer(new Line(logger, level, text))) {
            dropped.increment(); // the log is slower than Python: drop rather than block a Python thread
            return;
        }
        startWriter();
    }

    /** A record of Python's {@code logging} module, at Python level {@code levelno}. */
    void record(String loggerName, int levelno, String message) {
        String name = loggerName == null || loggerName.isEmpty() ? "root"
                : loggerName.length() > MAX_LOGGER_NAME ? loggerName.substring(0, MAX_LOGGER_NAME) : loggerName;
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + " [message cut at " + MAX_MESSAGE
                + " characters]" : message;
        ILogger logger = loggerFor(name);
        write(logger, levelOf(levelno), logger == OTHER ? "[" + name + "] " + text : text);
    }

    private static ILogger loggerFor(String name) {
        ILogger known = NAMED.get(name);
        if (known != null) {
            return known;
        }
        if (NAMED.size() >= MAX_LOGGERS) {
            return OTHER;
        }
        return NAMED.computeIfAbsent(name, n -> Logger.getLogger("hzpy.python." + n));
    }

    /** Starts the writer unless it runs (it ends itself when idle). */
    private void startWriter() {
        if (writing.compareAndSet(false, true)) {
            Thread t = new Thread(this::drain, "hzpy-python-log");
            t.setDaemon(true);
            t.start();
        }
    }

    private void drain() {
        while (true) {
            Line line;
            try {
                line = queue.poll(WRITER_IDLE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                writing.set(false);
                return;
            }
            if (line == null) {
                writing.set(false);
                // a line offered while this thread was giving up would wait for the next one: take it over
                if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            try {
                line.logger().log(line.level(), line.text());
            } catch (RuntimeException e) { // a failing handler loses its line, not the writer
                dropped.increment();
            }
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
