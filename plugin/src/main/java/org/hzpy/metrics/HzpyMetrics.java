package org.hzpy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.hzpy.Py;
import org.hzpy.PySemaphore;
import org.hzpy.PyStats;
import org.hzpy.PyUnavailableException;
import org.hzpy.cluster.MemberParts;
import org.hzpy.runtime.CallStats;
import org.hzpy.runtime.PythonRuntime;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * hzpy's meters for one member, bound to any Micrometer registry:
 *
 * <ul>
 * <li>{@code hzpy.calls} — a function timer (count and total time) per {@code kind} (call, eval,
 * exec), {@code origin} (member, remote, jet) and {@code outcome} (ok, python_error, timeout,
 * cancelled, overloaded, conversion, sandbox, unavailable);</li>
 * <li>{@code hzpy.permits.in.use}, {@code hzpy.permits.max} — gauges, {@code scope} member, and
 * cluster where the cluster-wide limit is on;</li>
 * <li>{@code hzpy.contexts} — gauge per {@code state} (busy, idle, starting), the three from one
 * reading per scrape; {@code hzpy.context.restarts} (abandoned contexts included, once each),
 * {@code hzpy.exec.replays}, {@code hzpy.memory.guard.trips}, {@code hzpy.memory.guard.gcs}
 * (collections the guard asked for), {@code hzpy.python.output.dropped}, {@code hzpy.jet.batches.refused}
 * (refusals of a permit to Jet batches, which wait on in the member's line: not calls) — counters;</li>
 * <li>{@code hzpy.refusing} — per {@code reason} (memory, closed, no_context): 1 while the member
 * refuses every call for that reason ({@code py.stats().callsRefusedBecause()} says it in words);</li>
 * <li>{@code hzpy.memory.heap.live} (bytes live in the JVM heap after the last collection: hzpy's
 * contexts live in the member's heap and cannot be told apart from it),
 * {@code hzpy.memory.heap.idle.live} (the same, last seen with no Python call running: running calls
 * hold at most the difference), {@code hzpy.memory.guard.limit} (bytes), both absent when the guard
 * is off, {@code hzpy.memory.guard.tripped} (1 or 0);</li>
 * <li>{@code hzpy.jit.active} — 1 or 0, NaN until the engine exists (a scrape never waits for it);</li>
 * <li>{@code hzpy.streams.open} — gauge of the streams open now; {@code hzpy.stream.pulls} — counter of their pulls.</li>
 * <li>{@code hzpy.async.pending} — gauge per {@code kind} (call, await): see {@link AsyncMetrics}.</li>
 * </ul>
 *
 * Calls are counted from the first binding on (striped adders, a few nanoseconds a call), and the
 * meters read them when the registry asks, without running Python or waiting; with
 * {@link #percentiles}, {@code hzpy.calls} is a timer that each call records into (once, however
 * often it is bound to the same registry). Thread-safe once built.
 */
public final class HzpyMetrics implements MeterBinder {
    private static final String CALLS = "hzpy.calls";
    private static final String CALLS_DESCRIPTION = "Python calls that ended, by kind, origin and outcome";

    private final Py py;
    private final PythonRuntime runtime;
    private final Tags tags;
    private final double[] percentiles;

    private HzpyMetrics(Py py, PythonRuntime runtime, Tags tags, double[] percentiles) {
        this.py = py;
        this.runtime = runtime;
        this.tags = tags;
        this.percentiles = percentiles;
    }

    /**
     * The meters of {@code py}'s member.
     *
     * @throws IllegalArgumentException if {@code py} is on a client: meters are each member's own
     */
    public static HzpyMetrics of(Py py) {
        Objects.requireNonNull(py, "py");
        if (py.isClient()) {
            throw new IllegalArgumentException("hzpy's meters are a member's: bind HzpyMetrics on each member (this Py is on a client)");
        }
        return new HzpyMetrics(py, MemberParts.runtimeOf(py.instance()), Tags.empty(), new double[0]);
    }

    /** The meters of a runtime of its own, without a member (tests): no cluster scope. */
    static HzpyMetrics of(PythonRuntime runtime) {
        return new HzpyMetrics(null, Objects.requireNonNull(runtime, "runtime"), Tags.empty(), new double[0]);
    }

    /** These tags on every meter as well (for example the member's name). */
    public HzpyMetrics tags(Iterable<Tag> extra) {
        Objects.requireNonNull(extra, "extra");
        return new HzpyMetrics(py, runtime, tags.and(extra), percentiles);
    }

    /**
     * Makes {@code hzpy.calls} a timer that publishes these percentiles (each from 0 to 1,
     * exclusive of 1), recording every call that ends after binding, instead of a function timer.
     *
     * @throws IllegalArgumentException naming each value out of range
     */
    public HzpyMetrics percentiles(double... values) {
        Objects.requireNonNull(values, "values");
        java.util.List<String> bad = new java.util.ArrayList<>();
        for (double v : values) {
            if (!(v >= 0 && v < 1)) {
                bad.add(String.valueOf(v));
            }
        }
        if (!bad.isEmpty() || values.length == 0) {
            throw new IllegalArgumentException("percentiles must be one or more values from 0 up to (not including) 1; "
                    + (values.length == 0 ? "none given" : "out of range: " + String.join(", ", bad)));
        }
        return new HzpyMetrics(py, runtime, tags, values.clone());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        CallStats stats = runtime.callStats();
        if (percentiles.length > 0) {
            bindTimers(registry, stats);
        } else {
            bindFunctionTimers(registry, stats);
        }
        bindGauges(registry);
        bindStreams(registry);
        new AsyncMetrics(runtime, tags).bindTo(registry);
    }

    private void bindStreams(MeterRegistry registry) {
        Gauge.builder("hzpy.streams.open", runtime, PythonRuntime::streamsOpen)
                .description("Python streams (Py.stream) open on this member: each holds a permit").tags(tags).register(registry);
        counter(registry, "hzpy.stream.pulls", "pulls of Python streams served (each brings up to a batch of items)",
                PythonRuntime::streamPulls);
    }

    private void bindTimers(MeterRegistry registry, CallStats stats) {
        if (registry.find(CALLS).tags(callTags(CallStats.Kind.CALL, CallStats.Origin.MEMBER, CallStats.Outcome.OK)).timer() != null) {
            return; // bound before: its timers are fed already, and a second listener would record every call twice
        }
        io.micrometer.core.instrument.Timer[] timers = new io.micrometer.core.instrument.Timer[CallStats.CELLS];
        CallStats.forEachCell((kind, origin, outcome) -> timers[CallStats.cell(kind, origin, outcome)] =
                io.micrometer.core.instrument.Timer.builder(CALLS).description(CALLS_DESCRIPTION).publishPercentiles(percentiles)
                        .tags(callTags(kind, origin, outcome)).register(registry));
        stats.addListener((kind, origin, outcome, nanos) ->
                timers[CallStats.cell(kind, origin, outcome)].record(nanos, TimeUnit.NANOSECONDS));
    }

    private void bindFunctionTimers(MeterRegistry registry, CallStats stats) {
        stats.enable();
        CallStats.forEachCell((kind, origin, outcome) -> FunctionTimer.builder(CALLS, stats, s -> s.count(kind, origin, outcome),
                        s -> s.totalNanos(kind, origin, outcome), TimeUnit.NANOSECONDS)
                .description(CALLS_DESCRIPTION).tags(callTags(kind, origin, outcome)).register(registry));
    }

    private Tags callTags(CallStats.Kind kind, CallStats.Origin origin, CallStats.Outcome outcome) {
        return tags.and("kind", kind.tag(), "origin", origin.tag(), "outcome", outcome.tag());
    }

    private void bindGauges(MeterRegistry registry) {
        permits(registry, "member", runtime.semaphore());
        try {
            if (py != null) {
                permits(registry, "cluster", py.clusterSemaphore());
            }
        } catch (PyUnavailableException e) {
            // the cluster-wide limit is off on this member: no cluster scope
        }
        ScrapeSnapshot<PythonRuntime.ContextStates> states = new ScrapeSnapshot<>(runtime::contextStates);
        contexts(registry, "busy", r -> states.readFor("busy").busy());
        contexts(registry, "idle", r -> states.readFor("idle").idle());
        contexts(registry, "starting", r -> states.readFor("starting").starting());
        counter(registry, "hzpy.context.restarts", "Python contexts started afresh in place of a broken, stuck or abandoned one",
                r -> r.stats().contextRestarts()); // abandonments are restarts already
        for (String reason : new String[] {"memory", "closed", "no_context"}) {
            Gauge.builder("hzpy.refusing", runtime, r -> reason.equals(refusalReason(r)) ? 1 : 0)
                    .description("1 while the member refuses every Python call for this reason").tags(tags).tag("reason", reason)
                    .register(registry);
        }
        counter(registry, "hzpy.memory.guard.gcs", "garbage collections the memory guard asked for", r -> r.stats().memoryGuardGcs());
        counter(registry, "hzpy.jet.batches.refused", "refusals of a permit to Jet batches (a refused batch waits on in the member's line, asking again now and then)",
                r -> r.callStats().jetRefusals());
        counter(registry, "hzpy.exec.replays", "exec code replayed by a context that had not run it yet", r -> r.stats().execReplays());
        counter(registry, "hzpy.memory.guard.trips", "times the memory guard stopped Python calls", r -> r.stats().memoryGuardTrips());
        counter(registry, "hzpy.python.output.dropped", "lines of Python output and logging records dropped: more than the member's log takes a second",
                PythonRuntime::pythonOutputDropped);
        Gauge.builder("hzpy.memory.heap.live", runtime, PythonRuntime::heapLiveBytes).baseUnit("bytes")
                .description("JVM heap live after the last collection (hzpy's contexts are part of it)").tags(tags).register(registry);
        if (runtime.memoryGuardLimitBytes() != Long.MAX_VALUE) {
            Gauge.builder("hzpy.memory.guard.limit", runtime, PythonRuntime::memoryGuardLimitBytes).baseUnit("bytes")
                    .description("live heap past which the memory guard stops Python calls").tags(tags).register(registry);
            Gauge.builder("hzpy.memory.heap.idle.live", runtime, r -> r.heapIdleLiveBytes() < 0 ? Double.NaN : r.heapIdleLiveBytes())
                    .baseUnit("bytes").description("JVM heap live after collection as last seen with no Python call running")
                    .tags(tags).register(registry);
        }
        Gauge.builder("hzpy.memory.guard.tripped", runtime, r -> r.stats().memoryGuardTripped() ? 1 : 0)
                .description("1 while the memory guard refuses Python calls").tags(tags).register(registry);
        Gauge.builder("hzpy.jit.active", runtime, r -> r.jitActiveIfKnown().map(on -> on ? 1.0 : 0.0).orElse(Double.NaN))
                .description("1 if GraalPy runs with the Graal JIT, 0 if interpreter-only").tags(tags).register(registry);
    }

    /** Why every call is refused now (closed, memory, no_context), or null: from the runtime's own answer, never waiting. */
    private static String refusalReason(PythonRuntime r) {
        if (r.isClosed()) {
            return "closed";
        }
        PyStats stats = r.stats();
        if (stats.memoryGuardTripped()) {
            return "memory";
        }
        return stats.callsRefusedBecause() == null ? null : "no_context";
    }

    private void permits(MeterRegistry registry, String scope, PySemaphore semaphore) {
        Gauge.builder("hzpy.permits.in.use", semaphore, PySemaphore::current).description("Python calls holding a permit")
                .tags(tags).tag("scope", scope).register(registry);
        Gauge.builder("hzpy.permits.max", semaphore, PySemaphore::maxConcurrent).description("Python calls allowed at once")
                .tags(tags).tag("scope", scope).register(registry);
    }

    private void contexts(MeterRegistry registry, String state, ToDoubleFunction<PythonRuntime> count) {
        Gauge.builder("hzpy.contexts", runtime, count).description("Python contexts by state").tags(tags).tag("state", state)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<PythonRuntime> count) {
        FunctionCounter.builder(name, runtime, count).description(description).tags(tags).register(registry);
    }
}
