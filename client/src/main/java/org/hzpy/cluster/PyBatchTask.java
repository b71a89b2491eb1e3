package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.PyOutcome;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * The calls of one client's {@code Py.parallel} bound for one member, sent as one executor task,
 * under the member's {@code RemotePolicy} (hzpy-plugin's) (a member's own parallel travels as a
 * {@link MemberBatchOp} instead). On the member they run at once on its own threads and contexts
 * (as far as its limits allow); the task answers one {@link PyOutcome} per call, in order, when all
 * have ended.
 */
public final class PyBatchTask implements java.util.concurrent.Callable<ArrayList<PyOutcome>>, IdentifiedDataSerializable,
        HazelcastInstanceAware {
    /** Each call takes at least this many bytes on the wire (kind, timeout, call id's length). */
    private static final int MIN_TASK_BYTES = 13;

    private List<PyTask> tasks;
    /** Why the batch, as read from the wire, is refused, or null. */
    private transient WireValues.Refused refused;
    private transient HazelcastInstance member;

    PyBatchTask() {
    }

    PyBatchTask(List<PyTask> tasks) {
        this.tasks = tasks;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    @Override
    public ArrayList<PyOutcome> call() throws InterruptedException {
        try {
            return TaskHandlers.of(member).runBatch(member, tasks, refused, false).get(); // the member's handling
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // runBatch never fails
        }
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.PY_BATCH_TASK;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        writeTasks(out, tasks);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        tasks = new ArrayList<>();
        refused = readTasks(in, tasks);
    }

    static void writeTasks(ObjectDataOutput out, List<PyTask> tasks) throws IOException {
        out.writeInt(tasks.size());
        for (PyTask t : tasks) {
            t.writeData(out);
        }
    }

    /**
     * Reads tasks into {@code into}; a count larger than the message or a refused task ends the
     * reading (the rest of the message cannot be trusted) and is returned.
     */
    static WireValues.Refused readTasks(ObjectDataInput in, List<PyTask> into) throws IOException {
        int n;
        try {
            n = WireValues.count(in, MIN_TASK_BYTES, "a batch's call count");
        } catch (WireValues.Refused e) {
            return e;
        }
        for (int i = 0; i < n; i++) {
            PyTask t = new PyTask();
            t.readData(in);
            into.add(t);
            if (t.malformedOnRead()) {
                return t.refusal();
            }
        }
        return null;
    }
}
