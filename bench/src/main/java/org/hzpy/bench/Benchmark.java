package org.hzpy.bench;

import java.time.Duration;

/** One benchmark of the suite. {@link BenchMain} runs each in a fresh JVM of its own. */
interface Benchmark {
    /** P1, P3, ...: the name on the command line and in the report. */
    String id();

    String title();

    /** How long the benchmark's JVM may run before it is stopped and reported as not measured. */
    Duration timeout();

    Result run() throws Exception;
}
