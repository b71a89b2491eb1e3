package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.HzpySettings;
import org.hzpy.PyCall;
import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PyOutcome;
import org.hzpy.PyTimeoutException;
import org.hzpy.runtime.CallStats;
import org.hzpy.runtime.PythonRuntime;
import org.hzpy.runtime.StopToken;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The member's side of {@link PyTask} (a call, an eval or an exec from hzpy's executor) and of a
 * parallel batch ({@link PyBatchTask}, {@link MemberBatchOp}): each runs like a local call (same
 * limit, timeout, conversions) under the member's {@link RemotePolicy} unless member code sent it,
 * and never throws — its {@link PyOutcome} carries the failure. Stateless; thread-safe.
 */
final class CallTasks {
    private CallTasks() {
    }

    /** Runs {@code task} on {@code member} (see {@link TaskHandlers#run}). */
    static PyOutcome run(HazelcastInstance member, PyTask task) {
        RunningCalls calls = MemberParts.runningCallsOf(member);
        String servedBy = calls.address(member);
        String callId = task.callId();
        RunningCalls running = callId == null ? null : calls;
        StopToken stop = running == null ? null : running.start(callId);
        if (running != null && stop == null) {
            return PyOutcome.failed(new PyCancelledException(task.describe() + " was cancelled by its caller before it started"),
                    servedBy);
        }
        try {
            if (task.refusal() != null) {
                throw task.refusal().asPyException(task.describe());
            }
            MemberParts.servingRuntimeOf(member); // a member still joining serves nothing remote yet
            RemotePolicy policy = MemberParts.policyOf(member);
            if (task.isCall()) {
                policy.checkCall(task.module(), task.function());
                PyCall c = PyCall.of(task.module(), task.function(), task.args().toArray()).kwargs(task.kwargs()); // checks the arguments
                return PyOutcome.ok(MemberParts.runtimeOf(member).call(CallStats.Origin.REMOTE, c.module(), c.function(),
                        c.args().toArray(), c.kwargs(), task.timeout(), stop), servedBy);
            }
            if (task.isEval()) {
                policy.checkEval("eval()");
                return PyOutcome.ok(MemberParts.runtimeOf(member).eval(CallStats.Origin.REMOTE, task.code(), task.kwargs(),
                        task.timeout(), stop), servedBy);
            }
            policy.checkEval("exec()");
            Duration timeout = task.timeout();
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) { // as Py.exec refuses it
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            MemberParts.runtimeOf(member).checkOpen(); // a shut-down member has no cluster log to record in
            MemberParts.exec(member, task.code(), timeout, CallStats.Origin.REMOTE); // counted as remote
            return PyOutcome.ok(null, servedBy);
        } catch (PyException e) {
            return PyOutcome.failed(e, servedBy);
        } catch (RuntimeException e) { // a bad argument (IllegalArgumentException, NullPointerException)
            return PyOutcome.failed(new PyException(task.describe() + " was refused by the member: " + e), servedBy);
        } finally {
            if (running != null) {
                running.end(callId);
            }
        }
    }

    /**
     * Runs {@code tasks} on {@code member}'s own threads, as many at a time as it has room for; the
     * answer (one outcome per task, in order) never fails, and comes at the latest when the longest
     * call could have run one after another with the rest.
     *
     * @param refused why the batch was refused as read (every call then fails with it), or null
     * @param fromMember the calls come from member code (they skip the remote policy)
     */
    static CompletableFuture<ArrayList<PyOutcome>> runBatch(HazelcastInstance member, List<PyTask> tasks,
            WireValues.Refused refused, boolean fromMember) {
        String servedBy = MemberParts.runningCallsOf(member).address(member);
        if (refused != null) {
            ArrayList<PyOutcome> result = new ArrayList<>(tasks.size());
            PyOutcome failure = PyOutcome.failed(refused.asPyException("parallel()"), servedBy);
            for (int i = 0; i < Math.max(1, tasks.size()); i++) {
                result.add(failure);
            }
            return CompletableFuture.completedFuture(result);
        }
        HzpySettings settings = MemberParts.runtimeOf(member).settings();
        Duration longest = settings.callTimeout();
        for (PyTask t : tasks) {
            if (t.timeout() != null && t.timeout().compareTo(longest) > 0) {
                longest = t.timeout();
            }
        }
        PyOutcome[] outcomes = new PyOutcome[tasks.size()];
        CompletableFuture<Void> all = Lanes.run(tasks.size(), Lanes.width(settings),
                i -> callAsync(member, tasks.get(i), fromMember).thenAccept(o -> outcomes[i] = o));
        // every call ends by its own timeout; this bound only guards against a lost answer
        Duration wait = RemoteRuntime.waitFor(RemoteRuntime.oneAfterAnother(longest, tasks.size()));
        return all.completeOnTimeout(null, wait.toNanos(), TimeUnit.NANOSECONDS).handle((v, e) -> {
            ArrayList<PyOutcome> result = new ArrayList<>(tasks.size());
            for (int i = 0; i < outcomes.length; i++) {
                PyOutcome o = outcomes[i];
                result.add(o != null ? o : PyOutcome.failed(new PyTimeoutException(tasks.get(i).describe()
                        + " gave no answer within " + wait.toMillis() + " ms"), servedBy));
            }
            return result;
        });
    }

    /**
     * Runs {@code task}'s call on the member's own threads, as one of a parallel batch: the answer
     * never fails, its outcome carries any failure.
     *
     * @param fromMember the batch came from another member's code ({@link MemberBatchOp}, which only
     *                   members can send): it runs as member code, without the remote policy
     */
    private static CompletableFuture<PyOutcome> callAsync(HazelcastInstance member, PyTask task, boolean fromMember) {
        String servedBy = MemberParts.runningCallsOf(member).address(member);
        try {
            if (task.refusal() != null) {
                throw task.refusal().asPyException(task.describe());
            }
            PythonRuntime runtime = MemberParts.servingRuntimeOf(member);
            if (!fromMember) {
                MemberParts.policyOf(member).checkCall(task.module(), task.function());
            }
            PyCall c = PyCall.of(task.module(), task.function(), task.args().toArray()).kwargs(task.kwargs()); // checks the arguments
            CallStats.Origin origin = fromMember ? CallStats.Origin.MEMBER : CallStats.Origin.REMOTE;
            return runtime.callAsync(origin, c.module(), c.function(), c.args().toArray(), c.kwargs(), task.timeout())
                    .handle((v, e) -> PyTask.outcome(v, e, task.describe(), servedBy));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(PyTask.outcome(null, e, task.describe(), servedBy));
        }
    }
}
