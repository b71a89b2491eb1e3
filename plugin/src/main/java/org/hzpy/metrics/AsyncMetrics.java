package org.hzpy.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.hzpy.runtime.PythonRuntime;

/**
 * The asyncio meter of one member: {@code hzpy.async.pending}, a gauge per {@code kind} — {@code call}
 * (async def calls whose coroutine waits on its context's event loop) and {@code await}
 * ({@code hzpy.call_async} awaits whose Java result has not reached Python); together they are
 * bounded by {@code hzpy.async-max-pending}. Read without running Python or waiting. Bound by
 * {@link HzpyMetrics}. Thread-safe.
 */
final class AsyncMetrics implements MeterBinder {
    private final PythonRuntime runtime;
    private final Tags tags;

    AsyncMetrics(PythonRuntime runtime, Tags tags) {
        this.runtime = runtime;
        this.tags = tags;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("hzpy.async.pending", runtime, PythonRuntime::asyncCallsPending)
                .description("async def calls whose coroutine waits on its context's event loop").tags(tags).tag("kind", "call")
                .register(registry);
        Gauge.builder("hzpy.async.pending", runtime, PythonRuntime::asyncAwaitsPending)
                .description("hzpy.call_async awaits whose Java result has not reached Python").tags(tags).tag("kind", "await")
                .register(registry);
    }
}
