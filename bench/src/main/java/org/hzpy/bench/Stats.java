package org.hzpy.bench;

import java.util.Arrays;
import java.util.Locale;

/** Order statistics over repeated samples, and number formatting for the tables. */
final class Stats {
    private Stats() {
    }

    static double median(double[] samples) {
        return percentile(samples, 50);
    }

    /** The nearest-rank percentile: p90 is the smallest sample that 90% of samples do not exceed. */
    static double percentile(double[] samples, double p) {
        if (samples.length == 0) {
            return Double.NaN;
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        if (p == 50 && sorted.length % 2 == 0) {
            return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double min(double[] samples) {
        return Arrays.stream(samples).min().orElse(Double.NaN);
    }

    static double max(double[] samples) {
        return Arrays.stream(samples).max().orElse(Double.NaN);
    }

    static double geomean(double[] values) {
        double logSum = 0;
        for (double v : values) {
            logSum += Math.log(v);
        }
        return Math.exp(logSum / values.length);
    }

    /** A number with about three significant digits, e.g. 0.0123, 1.23, 12.3, 123, 12345. */
    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : a >= 0.1 ? "%.3f" : "%.4f";
        return String.format(Locale.ROOT, pattern, v);
    }

    /** A ratio such as "3.42×". */
    static String times(double ratio) {
        return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f×", ratio);
    }
}
