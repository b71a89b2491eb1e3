package org.hzpy.bench;

import java.time.Duration;
import java.util.Map;

/** One benchmark of the suite. {@link BenchMain} runs each in a fresh JVM of its own. */
interface Benchmark {
    /** P1, P3, ...: the name on the command line and in the report. */
    String id();

    String title();

    /** How long the benchmark's JVM may run before it is stopped and reported as not measured. */
    Duration timeout();

    /**
     * Environment variables its JVM gets on top of this one's (P5 puts the peer's tools first on
     * PATH); worked out in the parent JVM, before the benchmark's JVM starts.
     */
    default Map<String, String> environment() throws Exception {
        return Map.of();
    }

    Result run() throws Exception;
}
