package org.hzpy.bench;

import java.util.List;

/**
 * How much CPU other processes took while a benchmark ran: the machine's busy time from
 * /proc/stat minus this process's own time and that of its finished children (/proc/self/stat).
 * Linux only; elsewhere it reports nothing.
 */
final class CpuMeter {
    /** USER_HZ: the unit of both files, 100 on every common Linux. */
    private static final double TICKS_PER_SECOND = 100;

    private final long machineBusy;
    private final long ours;
    private final long nanos;

    private CpuMeter(long machineBusy, long ours, long nanos) {
        this.machineBusy = machineBusy;
        this.ours = ours;
        this.nanos = nanos;
    }

    static CpuMeter start() {
        return new CpuMeter(machineBusyTicks(), ourTicks(), System.nanoTime());
    }

    /** Average number of cores other processes kept busy since {@link #start()}; NaN if unknown. */
    double otherCores() {
        long busy = machineBusyTicks() - machineBusy;
        long mine = ourTicks() - ours;
        double seconds = (System.nanoTime() - nanos) / 1e9;
        if (machineBusy < 0 || ours < 0 || seconds <= 0) {
            return Double.NaN;
        }
        return Math.max(0, busy - mine) / TICKS_PER_SECOND / seconds;
    }

    /** user + nice + system + irq + softirq + steal of the "cpu" line of /proc/stat. */
    private static long machineBusyTicks() {
        List<String> lines = Machine.lines("/proc/stat");
        if (lines.isEmpty() || !lines.get(0).startsWith("cpu ")) {
            return -1;
        }
        String[] f = lines.get(0).trim().split("\\s+");
        long busy = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            busy += Long.parseLong(f[i]);
        }
        return busy;
    }

    /** utime + stime + cutime + cstime of this process (children count once they were waited for). */
    private static long ourTicks() {
        List<String> lines = Machine.lines("/proc/self/stat");
        if (lines.isEmpty()) {
            return -1;
        }
        String line = lines.get(0);
        String[] f = line.substring(line.lastIndexOf(')') + 2).split("\\s+"); // f[0] is field 3 (state)
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }
}
