package org.hzpy.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The code run with {@code exec}, in order: every context applies each entry exactly once before
 * it serves a call. Appended to in place; {@link #replace replaced} whole only when the member's
 * exec code must become another's (a split-brain merge), as a new {@link Version}: a context that
 * applied entries of an older version cannot forget them and must restart. Writers are serialized
 * by the runtime's exec lock; readers need no lock (a reader that works through several entries
 * takes one {@link #current()} version and reads only from it).
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

    /** The log between two replacements: appended to in place. */
    static final class Version {
        /** 0 for the log the runtime started with, one more for each replacement. */
        final long number;
        private final List<Entry> entries = new CopyOnWriteArrayList<>();

        private Version(long number, List<Entry> entries) {
            this.number = number;
            this.entries.addAll(entries);
        }

        int size() {
            return entries.size();
        }

        Entry get(int index) {
            return entries.get(index);
        }
    }

    private volatile Version current = new Version(0, List.of());

    Version current() {
        return current;
    }

    int size() {
        return current.size();
    }

    void append(String source, long timeoutNanos) {
        current.entries.add(new Entry(source, timeoutNanos));
    }

    /** Makes {@code entries} the log, as a new version. */
    void replace(List<Entry> entries) {
        current = new Version(current.number + 1, entries);
    }
}
