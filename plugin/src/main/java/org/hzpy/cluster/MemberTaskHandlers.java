package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.core.ProcessorSupplier;
import org.hzpy.PyDeployException;
import org.hzpy.PyException;
import org.hzpy.PyOutcome;
import org.hzpy.PySandboxException;
import org.hzpy.deploy.PackageFiles;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyStageService;
import org.hzpy.jet.PythonStage;
import org.hzpy.runtime.CallStats;
import org.hzpy.runtime.PythonRuntime;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The member's half of every hzpy wire message ({@link TaskHandlers}): {@code HzpyPlugin} puts one
 * in the member's user context, where the wire classes (in hzpy-client) look it up. Calls and
 * streams are {@link CallTasks} and {@link StreamTasks}; the rest is here. Each handler finds the
 * member's parts through {@link MemberParts}, as the tasks did themselves before the split.
 * Stateless; thread-safe.
 */
final class MemberTaskHandlers implements TaskHandlers {
    @Override
    public PyOutcome run(HazelcastInstance member, PyTask task) {
        return CallTasks.run(member, task);
    }

    @Override
    public CompletableFuture<ArrayList<PyOutcome>> runBatch(HazelcastInstance member, List<PyTask> tasks,
            WireValues.Refused refused, boolean fromMember) {
        return CallTasks.runBatch(member, tasks, refused, fromMember);
    }

    @Override
    public PyOutcome openStream(HazelcastInstance member, PyTask task, int firstBatch, boolean fromMember) {
        return StreamTasks.open(member, task, firstBatch, fromMember);
    }

    @Override
    public PyOutcome pullStream(HazelcastInstance member, StreamPull pull) {
        return StreamTasks.pull(member, pull);
    }

    @Override
    public boolean closeStream(HazelcastInstance member, String streamId) {
        return MemberParts.runningCallsOf(member).streams().close(streamId);
    }

    @Override
    public boolean cancel(HazelcastInstance member, String callId) {
        return MemberParts.runningCallsOf(member).cancel(callId);
    }

    @Override
    public void applyExecLog(HazelcastInstance member, long upTo) {
        MemberParts.execLogOf(member).catchUp(upTo);
    }

    @Override
    public byte[] trustSecretForRequest(HazelcastInstance member) {
        Object trust = member.getUserContext().get(MemberParts.TRUST_KEY);
        return trust instanceof ClusterTrust t ? t.secretForRequest() : null;
    }

    @Override
    public PyOutcome modules(HazelcastInstance member, ModulesTask task) {
        String servedBy = member.getCluster().getLocalMember().getAddress().toString();
        try {
            if (task.refused() != null) {
                throw new PyDeployException("the member refused a malformed request about deployed modules: " + task.refused());
            }
            ClusterDeployments deployments = MemberParts.deploymentsOf(member);
            switch (task.kind()) {
                case ModulesTask.DEPLOY, ModulesTask.REMOVE, ModulesTask.ROLLBACK -> {
                    PythonRuntime runtime = MemberParts.servingRuntimeOf(member);
                    if (!runtime.settings().remoteDeploy()) {
                        throw new PySandboxException("deploying Python code from outside the member is off: set"
                                + " hzpy.remote-deploy: true in the members' hazelcast.yaml to allow it (it lets clients run any code)");
                    }
                    if (task.kind() == ModulesTask.DEPLOY) {
                        return PyOutcome.ok(deployments.deploy(task.name(), PackageFiles.of(task.files(),
                                runtime.settings().deployMaxBytes()), task.by() == null ? "a client" : task.by()), servedBy);
                    }
                    if (task.kind() == ModulesTask.REMOVE) {
                        deployments.remove(task.name());
                    } else {
                        deployments.rollback(task.name(), task.version());
                    }
                    return PyOutcome.ok(null, servedBy);
                }
                case ModulesTask.LIST -> {
                    MemberParts.servingRuntimeOf(member);
                    return PyOutcome.ok(ModuleInfos.toWire(deployments.list()), servedBy);
                }
                case ModulesTask.APPLY -> {
                    return PyOutcome.ok(new LinkedHashMap<>(deployments.catchUp()), servedBy);
                }
                default -> {
                    return PyOutcome.ok(new TreeMap<>(MemberParts.runtimeOf(member).deployedVersions()), servedBy);
                }
            }
        } catch (PyException e) {
            return PyOutcome.failed(e, servedBy);
        } catch (RuntimeException e) { // a bad argument (IllegalArgumentException, NullPointerException)
            return PyOutcome.failed(new PyDeployException("the member refused the request: " + e.getMessage()), servedBy);
        }
    }

    @Override
    public Map<String, Object> memoryStats(HazelcastInstance member) {
        PythonRuntime runtime = MemberParts.runtimeOf(member);
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        PythonRuntime.ContextStates states = runtime.contextStates();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("member", member.getCluster().getLocalMember().getAddress().toString());
        m.put("contexts", runtime.router().numContexts());
        m.put("busy", states.busy());
        m.put("heapUsed", heap.getUsed());
        m.put("heapLive", runtime.heapLiveBytes());
        m.put("heapMax", heap.getMax());
        m.put("guardLimit", runtime.memoryGuardLimitBytes() == Long.MAX_VALUE ? -1L : runtime.memoryGuardLimitBytes());
        m.put("guardTripped", runtime.stats().memoryGuardTripped());
        List<List<Long>> gc = new ArrayList<>();
        runtime.gcCountsPerContext().forEach(c -> gc.add(new ArrayList<>(c)));
        m.put("gc", gc);
        m.put("jit", runtime.jitActiveIfKnown().orElse(false));
        return m;
    }

    /**
     * A client's call of a Java function registered here: refused unless {@code hzpy.remote-callbacks}
     * allows it, and then its nested Python calls are remote calls (remote policy, a permit each).
     */
    @Override
    public PyOutcome callFunction(HazelcastInstance member, FunctionTask task) {
        FunctionTask.Payload payload = task.payload();
        String servedBy = MemberParts.runningCallsOf(member).address(member);
        try {
            if (!MemberParts.runtimeOf(member).settings().remoteCallbacks()) {
                throw new PySandboxException("calling the member's Java functions from a client is off: set"
                        + " hzpy.remote-callbacks: true in the member's hazelcast.yaml to allow it (Python on members"
                        + " calls them with hzpy.call)");
            }
            payload.checkRead();
            RemotePolicy policy = MemberParts.policyOf(member);
            PythonRuntime runtime = MemberParts.servingRuntimeOf(member);
            return PyOutcome.ok(MemberParts.callbacksOf(member).runHere(payload.name(), payload.args(),
                    System.nanoTime() + payload.timeoutNanos(), nested -> {
                        // the client's work goes on: each nested call is a remote call
                        policy.checkCall(nested.module(), nested.function());
                        return runtime.call(CallStats.Origin.REMOTE, nested.module(), nested.function(), nested.args().toArray(),
                                nested.kwargs(), nested.timeout());
                    }), servedBy);
        } catch (PyException e) {
            return PyOutcome.failed(e, servedBy);
        } catch (RuntimeException e) {
            return PyOutcome.failed(new PyException(e.getClass().getName() + ": " + e.getMessage()), servedBy);
        }
    }

    /** Runs the function on hzpy's executor (its nested Python calls are member calls here). */
    @Override
    public void callBack(HazelcastInstance member, CallbackOp op, Consumer<Object> answer) {
        FunctionTask.Payload payload = op.payload();
        long deadline = System.nanoTime() + payload.timeoutNanos();
        member.getExecutorService(MemberParts.EXECUTOR); // so that its configured pool exists before it is used
        MemberOps.nodeEngineOf(member).getExecutionService().execute(MemberParts.EXECUTOR, () -> {
            String servedBy = MemberParts.runningCallsOf(member).address(member);
            try {
                payload.checkRead();
                answer.accept(PyOutcome.ok(MemberParts.callbacksOf(member).runHere(payload.name(), payload.args(),
                        deadline), servedBy));
            } catch (PyException e) {
                answer.accept(PyOutcome.failed(e, servedBy));
            } catch (RuntimeException e) {
                answer.accept(PyOutcome.failed(new PyException(e.getClass().getName() + ": " + e.getMessage()), servedBy));
            }
        });
    }

    @Override
    public PythonStage openStage(PyStageConfig config, ProcessorSupplier.Context jet) {
        return PyStageService.open(config, jet);
    }
}
