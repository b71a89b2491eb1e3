package org.hzpy.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The configurations P4b and P13 compare in one run, each in fresh JVMs of its own: always the
 * shipped defaults first, then any given in the environment variable {@code HZPY_BENCH_VARIANTS}
 * as {@code label=flag flag;label=flag ...} (JVM flags such as
 * {@code -Dpolyglot.engine.FirstTierCompilationThreshold=100}, or {@code -Dhzpy.KEY=VALUE}, which
 * the probes pass on to the member as an hzpy setting). {@code HZPY_BENCH_REPS} sets how many
 * fresh JVMs each configuration gets (the benchmark's default otherwise).
 */
final class Variants {
    record Variant(String label, List<String> flags) {
        String describe() {
            return flags.isEmpty() ? label : label + " (`" + String.join(" ", flags) + "`)";
        }
    }

    private Variants() {
    }

    static List<Variant> fromEnvironment() {
        List<Variant> all = new ArrayList<>();
        all.add(new Variant("as shipped", List.of()));
        String spec = System.getenv("HZPY_BENCH_VARIANTS");
        if (spec != null && !spec.isBlank()) {
            for (String part : spec.split(";")) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("HZPY_BENCH_VARIANTS: '" + part + "' is not label=flags");
                }
                all.add(new Variant(part.substring(0, eq).trim(),
                        List.of(part.substring(eq + 1).trim().split("\\s+"))));
            }
        }
        return all;
    }

    static int reps(int defaultReps) {
        String r = System.getenv("HZPY_BENCH_REPS");
        return r == null || r.isBlank() ? defaultReps : Integer.parseInt(r.trim());
    }

    /** The {@code -Dhzpy.*} system properties of this JVM, as member settings (for the probes). */
    static java.util.Map<String, String> hzpySettingsFromSystemProperties() {
        java.util.Map<String, String> settings = new java.util.TreeMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("hzpy."))
                .forEach(k -> settings.put(k, System.getProperty(k)));
        return settings;
    }
}
