package org.hzpy.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Time intervals that Python calls report as [start, end] (testmod.interval, busy_interval). */
public final class Intervals {
    private Intervals() {
    }

    /** The most intervals that were open at one moment. */
    public static int maxOverlap(Collection<? extends List<?>> intervals) {
        List<double[]> events = new ArrayList<>();
        for (List<?> i : intervals) {
            events.add(new double[] {((Number) i.get(0)).doubleValue(), 1});
            events.add(new double[] {((Number) i.get(1)).doubleValue(), -1});
        }
        events.sort((x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(x[1], y[1]));
        int now = 0;
        int max = 0;
        for (double[] e : events) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }
}
