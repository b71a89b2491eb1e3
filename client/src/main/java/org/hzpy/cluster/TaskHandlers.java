package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.core.ProcessorSupplier;
import org.hzpy.PyOutcome;
import org.hzpy.PyUnavailableException;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PythonStage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What a member does with each of hzpy's wire messages: the member's half of every task, operation
 * and Jet stage whose wire half is in this artifact. {@code hzpy-plugin} implements it and puts it in
 * the member's {@link HazelcastInstance#getUserContext()} under {@link #USER_CONTEXT_KEY}; a wire
 * class's {@code call()} / {@code run()} looks it up there ({@link #of}), so no class a client
 * serializes references the Python runtime. Not for users. Implementations are thread-safe.
 */
public interface TaskHandlers {
    /** Where the member's handlers are kept in its user context. */
    String USER_CONTEXT_KEY = "org.hzpy.taskHandlers";

    /**
     * The handlers of {@code member}.
     *
     * @throws PyUnavailableException if hzpy is not loaded there (as any part of it missing was reported before)
     */
    static TaskHandlers of(HazelcastInstance member) {
        if (member.getUserContext().get(USER_CONTEXT_KEY) instanceof TaskHandlers handlers) {
            return handlers;
        }
        throw new PyUnavailableException("hzpy is not loaded on " + member.getName());
    }

    /** A {@link PyTask} (a call, an eval or an exec) from hzpy's executor: never throws, the outcome carries any failure. */
    PyOutcome run(HazelcastInstance member, PyTask task);

    /**
     * The calls of a parallel batch ({@link PyBatchTask}, or from member code a {@link MemberBatchOp}): one
     * outcome per task, in order; the answer never fails.
     *
     * @param refused why the batch was refused as read (every call then fails with it), or null
     * @param fromMember the calls come from member code (they skip the remote policy)
     */
    CompletableFuture<ArrayList<PyOutcome>> runBatch(HazelcastInstance member, List<PyTask> tasks, WireValues.Refused refused,
            boolean fromMember);

    /**
     * Opens {@code task}'s call as a stream ({@link StreamOpen}, or from member code a {@link StreamOpenOp}):
     * the outcome's value is {@code [id, done, items]} ({@link StreamOpen#answer}).
     */
    PyOutcome openStream(HazelcastInstance member, PyTask task, int firstBatch, boolean fromMember);

    /** The next batch of a stream ({@link StreamPull}): the outcome's value is {@code [done, items]}. */
    PyOutcome pullStream(HazelcastInstance member, StreamPull pull);

    /** Ends a stream ({@link StreamClose}); whether it was open. */
    boolean closeStream(HazelcastInstance member, String streamId);

    /** Stops a remote call ({@link CancelRemoteCall}): true if it ran, false if it now never starts. */
    boolean cancel(HazelcastInstance member, String callId);

    /** Applies the cluster's exec log up to {@code upTo} ({@link ApplyExecLog}). */
    void applyExecLog(HazelcastInstance member, long upTo);

    /** The cluster's secret for a joining member ({@link TrustSecretRequest}), or null where there is none yet. */
    byte[] trustSecretForRequest(HazelcastInstance member);

    /** A request about deployed modules ({@link ModulesTask}). */
    PyOutcome modules(HazelcastInstance member, ModulesTask task);

    /** The member's memory as {@link MemoryStatsTask} answers it. */
    Map<String, Object> memoryStats(HazelcastInstance member);

    /** A client's call of a Java function registered here ({@link FunctionTask}). */
    PyOutcome callFunction(HazelcastInstance member, FunctionTask task);

    /** Python's call, on another member, of a Java function registered here ({@link CallbackOp}): {@code answer} once. */
    void callBack(HazelcastInstance member, CallbackOp op, Consumer<Object> answer);

    /** A Jet stage's Python on this member, when the job's execution starts here ({@link org.hzpy.jet.PyTransforms}). */
    PythonStage openStage(PyStageConfig config, ProcessorSupplier.Context jet);
}
