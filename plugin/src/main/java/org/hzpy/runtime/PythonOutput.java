package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;

/**
 * Python's stdout or stderr, written line by line to the member's log
 * ({@code hzpy.python.stdout} / {@code hzpy.python.stderr}) instead of the JVM's own streams:
 * a full or closed console pipe could otherwise block a Python thread in host I/O, where no
 * interrupt reaches it. The monitor guards only the line being built: a finished line is handed to
 * {@link PythonLog}'s writer thread, so a slow log handler never holds a Python thread (nor one
 * waiting for this monitor). Lines longer than {@link #MAX_LINE} are cut; lines beyond the member's
 * rate or its queue ({@link PythonLog}) are dropped and counted. Thread-safe.
 */
final class PythonOutput extends OutputStream {
    static final int MAX_LINE = 8192;

    private final ILogger logger;
    private final Level level;
    private final PythonLog log;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean truncated;

    PythonOutput(String stream, Level level, PythonLog log) {
        this.logger = Logger.getLogger("hzpy.python." + stream);
        this.level = level;
        this.log = log;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            flushLine();
        } else if (line.size() < MAX_LINE) {
            line.write(b);
        } else {
            truncated = true;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void flush() {
        // lines go out when they end: a partial line waits for its newline
    }

    private void flushLine() {
        String text = line.toString(StandardCharsets.UTF_8) + (truncated ? " [line cut at " + MAX_LINE + " bytes]" : "");
        line.reset();
        truncated = false;
        log.write(logger, level, text); // handed to the log's writer: never waits for the log here
    }
}
