package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.PyTimeoutException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The calls of one {@code Py.parallel} bound for one member, sent as one executor task. On the
 * member they run at once on its own threads and contexts (as far as its limits allow); the task
 * answers one {@link PyOutcome} per call, in order, when all have ended.
 */
public final class PyBatchTask implements java.util.concurrent.Callable<ArrayList<PyOutcome>>, IdentifiedDataSerializable,
        HazelcastInstanceAware {
    private List<PyTask> tasks;
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
        org.hzpy.HzpySettings settings = HzpyPlugin.runtimeOf(member).settings();
        Duration longest = settings.callTimeout();
        for (PyTask t : tasks) {
            if (t.timeout() != null && t.timeout().compareTo(longest) > 0) {
                longest = t.timeout();
            }
        }
        PyOutcome[] outcomes = new PyOutcome[tasks.size()];
        CompletableFuture<Void> all = Lanes.run(tasks.size(), Lanes.width(settings),
                i -> tasks.get(i).callAsync(member).thenAccept(o -> outcomes[i] = o));
        // every call ends by its own timeout; this bound only guards against a lost answer
        Duration wait = RemoteRuntime.waitFor(RemoteRuntime.oneAfterAnother(longest, tasks.size()));
        try {
            all.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the calls without an outcome say so below
        }
        String servedBy = HzpyPlugin.runningCallsOf(member).address(member);
        ArrayList<PyOutcome> result = new ArrayList<>(tasks.size());
        for (int i = 0; i < outcomes.length; i++) {
            PyOutcome o = outcomes[i];
            result.add(o != null ? o : PyOutcome.failure(new PyTimeoutException(tasks.get(i).describe()
                    + " gave no answer within " + wait.toMillis() + " ms"), servedBy));
        }
        return result;
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
        out.writeInt(tasks.size());
        for (PyTask t : tasks) {
            t.writeData(out);
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        int n = in.readInt();
        tasks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PyTask t = new PyTask();
            t.readData(in);
            tasks.add(t);
        }
    }
}
