package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.PyCall;
import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PyOutcome;
import org.hzpy.PySandboxException;
import org.hzpy.PyStream;
import org.hzpy.runtime.CallStats;
import org.hzpy.runtime.PythonRuntime;
import org.hzpy.runtime.StopToken;

import java.time.Duration;
import java.util.List;

/**
 * The member's side of a stream opened from elsewhere: {@link StreamOpen} (a client's, under the
 * member's {@link RemotePolicy} exactly as the same {@link PyTask} call would be) or
 * {@link StreamOpenOp} (member code), and its {@link StreamPull}s. The member keeps the generator in
 * its {@link RemoteStreams}. Never throws: the outcome carries any failure. Stateless; thread-safe.
 */
final class StreamTasks {
    private StreamTasks() {
    }

    /**
     * Opens {@code task}'s call as a stream on {@code member}: the outcome's value is
     * {@code [id, done, items]} ({@link StreamOpen#answer}).
     *
     * @param fromMember the open came from another member's code: it runs without the remote policy
     */
    static PyOutcome open(HazelcastInstance member, PyTask task, int firstBatch, boolean fromMember) {
        RunningCalls calls = MemberParts.runningCallsOf(member);
        String servedBy = calls.address(member);
        String callId = task.callId();
        StopToken admitted = callId == null ? null : calls.start(callId); // refused if its caller has left
        if (callId != null && admitted == null) {
            return PyOutcome.failed(new PyCancelledException(task.describe() + " was cancelled by its caller before it started"),
                    servedBy);
        }
        try {
            PythonRuntime runtime = MemberParts.servingRuntimeOf(member); // a member still joining serves nothing remote yet
            PyCall c = asStreamCall(member, task, fromMember);
            if (firstBatch < 0 || firstBatch > PyStream.MAX_BATCH_SIZE) {
                throw new PySandboxException(task.describe() + " was refused by the member: a first batch of "
                        + firstBatch + " items (0 to " + PyStream.MAX_BATCH_SIZE + ")");
            }
            Duration timeout = task.timeout();
            PyStream.Source source = runtime.openStream(fromMember ? CallStats.Origin.MEMBER : CallStats.Origin.REMOTE,
                    c.module(), c.function(), c.args().toArray(), c.kwargs(), timeout);
            RemoteStreams streams = calls.streams();
            String id = streams.register(source, callId == null ? null : RunningCalls.callerOf(callId),
                    timeout != null ? timeout : runtime.settings().callTimeout(), runtime.settings().streamIdleTimeout());
            PyStream.Batch first = new PyStream.Batch(List.of(), false);
            PyOutcome firstFailure = null;
            if (firstBatch > 0) {
                try {
                    first = streams.pull(id, firstBatch);
                } catch (PyException e) { // the stream opened: its first pull's failure arrives on the first pull, as on a member
                    first = new PyStream.Batch(List.of(), true);
                    firstFailure = PyOutcome.failed(e, servedBy);
                }
            }
            return PyOutcome.ok(StreamOpen.answer(id, first, firstFailure), servedBy);
        } catch (PyException e) {
            return PyOutcome.failed(e, servedBy);
        } catch (RuntimeException e) { // a bad argument (IllegalArgumentException, NullPointerException)
            return PyOutcome.failed(new PyException(task.describe() + " was refused by the member: " + e), servedBy);
        } finally {
            if (admitted != null) {
                calls.end(callId);
            }
        }
    }

    /**
     * {@code task} as the call a stream opens: refused as read, not a call, or (from a client)
     * refused by the remote policy, it throws the typed failure the same call would get.
     *
     * @param fromMember the open came from another member's code (a member-only operation): no remote policy
     */
    private static PyCall asStreamCall(HazelcastInstance member, PyTask task, boolean fromMember) {
        if (task.refusal() != null) {
            throw task.refusal().asPyException(task.describe());
        }
        if (!task.isCall()) {
            throw new PySandboxException(task.describe() + " cannot be streamed: a stream opens a call of a function");
        }
        if (!fromMember) {
            MemberParts.policyOf(member).checkCall(task.module(), task.function());
        }
        // checks the arguments (its timeout: task.timeout())
        return PyCall.of(task.module(), task.function(), task.args().toArray()).kwargs(task.kwargs());
    }

    /** The next batch of the stream {@code pull} names: the outcome's value is {@code [done, items]}. */
    static PyOutcome pull(HazelcastInstance member, StreamPull pull) {
        RunningCalls calls = MemberParts.runningCallsOf(member);
        String servedBy = calls.address(member);
        try {
            if (pull.malformed() != null) {
                throw new PySandboxException("a stream's pull was refused by the member: " + pull.malformed());
            }
            return PyOutcome.ok(StreamPull.answer(calls.streams().pull(pull.streamId(), pull.max())), servedBy);
        } catch (PyException e) {
            return PyOutcome.failed(e, servedBy);
        } catch (RuntimeException e) {
            return PyOutcome.failed(new PyException("a stream's pull failed on the member: " + e), servedBy);
        }
    }
}
