package org.hzpy.metrics;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One reading shared by several gauges, so that they agree within a scrape (the {@code hzpy.contexts}
 * gauges: busy + idle + starting = the contexts). A scrape reads each gauge once: a gauge that reads
 * again starts a new scrape, and takes a fresh reading. Thread-safe (one monitor; the reading is cheap
 * and never waits).
 */
final class ScrapeSnapshot<T> {
    private final Supplier<T> take;
    private final Set<String> readers = new HashSet<>();
    private T current;

    ScrapeSnapshot(Supplier<T> take) {
        this.take = Objects.requireNonNull(take, "take");
    }

    /** The reading for {@code reader} (one gauge): the current one, unless this reader already had it. */
    synchronized T readFor(String reader) {
        if (current == null || !readers.add(reader)) {
            current = take.get();
            readers.clear();
            readers.add(reader);
        }
        return current;
    }
}
