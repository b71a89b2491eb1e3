package org.hzpy.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The code run with {@code exec}, in order: every context applies each entry exactly once before
 * it serves a call. Append-only; readers need no lock.
 */
final class ExecLog {
    /** One piece of exec code and the time it may take when a context replays it. */
    static final class Entry {
        final String source;
        final long timeoutNanos;

        Entry(String source, long timeoutNanos) {
            this.source = source;
            this.timeoutNanos = timeoutNanos;
        }
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    int size() {
        return entries.size();
    }

    Entry get(int index) {
        return entries.get(index);
    }

    void append(String source, long timeoutNanos) {
        entries.add(new Entry(source, timeoutNanos));
    }
}
