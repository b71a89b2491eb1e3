package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.ContextRouter;
import org.hzpy.ExecutionMode;
import org.hzpy.HzpySettings;
import org.hzpy.PyCall;
import org.hzpy.PyFunction;
import org.hzpy.PySemaphore;
import org.hzpy.PyStats;
import org.hzpy.PyStream;
import org.hzpy.runtime.CallStats;
import org.hzpy.runtime.PythonRuntime;
import org.hzpy.state.PyState;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * {@link MemberSide} over the member's {@link PythonRuntime} and the parts {@code HzpyPlugin} keeps
 * in its user context: what {@code Py} does on a member. Its calls are member code
 * ({@link CallStats.Origin#MEMBER}). Thread-safe.
 */
final class RuntimeMemberSide implements MemberSide {
    private final HazelcastInstance member;
    private final PythonRuntime runtime;

    RuntimeMemberSide(HazelcastInstance member, PythonRuntime runtime) {
        this.member = member;
        this.runtime = runtime;
    }

    /** The runtime it runs on: the one under {@link MemberParts#RUNTIME_KEY} while it is there. */
    PythonRuntime runtime() {
        return runtime;
    }

    @Override
    public Object call(String module, String function, Object[] args, Map<String, Object> kwargs, Duration timeout) {
        return runtime.call(module, function, args, kwargs, timeout);
    }

    @Override
    public CompletionStage<Object> callAsync(String module, String function, Object[] args, Map<String, Object> kwargs,
            Duration timeout) {
        return runtime.callAsync(module, function, args, kwargs, timeout);
    }

    @Override
    public PyStream stream(String module, String function, Object[] args, Map<String, Object> kwargs, Duration timeout,
            int batchSize) {
        PyStream.Source source = runtime.openStream(CallStats.Origin.MEMBER, module, function, args, kwargs, timeout);
        return PyStream.over(source, batchSize, Duration.ofNanos(runtime.timeoutNanosOf(timeout)));
    }

    @Override
    public Object eval(String expression, Map<String, ?> locals, Duration timeout) {
        return runtime.eval(expression, locals, timeout);
    }

    @Override
    public void exec(String code, Duration timeout) {
        runtime.checkOpen(); // a shut-down member has no cluster log to record in
        MemberParts.exec(member, code, timeout, CallStats.Origin.MEMBER);
    }

    @Override
    public HzpySettings settings() {
        return runtime.settings();
    }

    @Override
    public ExecutionMode executionMode() {
        return runtime.executionMode();
    }

    @Override
    public int numExecutors() {
        return runtime.numExecutors();
    }

    @Override
    public PySemaphore semaphore() {
        return runtime.semaphore();
    }

    @Override
    public PySemaphore clusterSemaphore() {
        return MemberParts.clusterSemaphore(member, false);
    }

    @Override
    public PyState state() {
        return MemberParts.stateOf(member, false);
    }

    @Override
    public ModuleStore deployments() {
        return MemberParts.deploymentsOf(member);
    }

    @Override
    public Optional<URI> prometheusEndpoint() {
        return MemberParts.prometheusEndpointOf(member);
    }

    @Override
    public void registerFunction(String name, PyFunction fn, Function<PyCall, Object> ownCalls) {
        MemberParts.callbacksOf(member).register(name, fn, ownCalls);
    }

    @Override
    public void unregisterFunction(String name) {
        MemberParts.callbacksOf(member).unregister(name);
    }

    @Override
    public ContextRouter contexts() {
        return runtime.router();
    }

    @Override
    public boolean jitActive() {
        return runtime.jitActive();
    }

    @Override
    public String engineImplementation() {
        return runtime.engineImplementation();
    }

    @Override
    public PyStats stats() {
        return runtime.stats();
    }

    @Override
    public boolean awaitReady(int contexts, Duration timeout) {
        return runtime.awaitReady(contexts, timeout);
    }
}
