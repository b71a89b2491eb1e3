package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.Py;
import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PyTimeoutException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code hzpy.call(name, ...)} of a function registered on another member: runs it there (its
 * nested Python calls run on that member) and brings its result or failure back.
 */
public final class FunctionTask implements Callable<PyOutcome>, IdentifiedDataSerializable, HazelcastInstanceAware {
    private String name;
    private List<Object> args;
    private long timeoutNanos;
    private transient HazelcastInstance member;

    FunctionTask() {
    }

    private FunctionTask(String name, List<Object> args, long timeoutNanos) {
        this.name = name;
        this.args = new ArrayList<>(args);
        this.timeoutNanos = timeoutNanos;
    }

    /** Runs function {@code name} on {@code owner} and waits for it until {@code deadlineNanos}. */
    public static Object runOn(HazelcastInstance from, Member owner, String name, List<Object> args, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new PyTimeoutException("no time left to call Java function '" + name + "'");
        }
        Future<PyOutcome> answer = from.getExecutorService(HzpyPlugin.EXECUTOR)
                .submitToMember(new FunctionTask(name, args, left), owner);
        try {
            return answer.get(left, TimeUnit.NANOSECONDS).get();
        } catch (ExecutionException e) {
            throw new org.hzpy.PyUnavailableException("Java function '" + name + "' on " + owner.getAddress()
                    + " could not be reached: " + e.getCause());
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new PyTimeoutException("Java function '" + name + "' on " + owner.getAddress()
                    + " did not answer before its Python call's deadline");
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new PyCancelledException("stopped while waiting for Java function '" + name + "'");
        }
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    @Override
    public PyOutcome call() {
        String servedBy = HzpyPlugin.runningCallsOf(member).address(member);
        Py py = Py.on(member);
        try {
            HzpyPlugin.servingRuntimeOf(member);
            return PyOutcome.value(HzpyPlugin.callbacksOf(member).runHere(name, args, System.nanoTime() + timeoutNanos,
                    py::call), servedBy);
        } catch (PyException e) {
            return PyOutcome.failure(e, servedBy);
        } catch (RuntimeException e) {
            return PyOutcome.failure(new PyException(e.getClass().getName() + ": " + e.getMessage()), servedBy);
        }
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.FUNCTION_TASK;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(name);
        out.writeLong(timeoutNanos);
        out.writeInt(args.size());
        for (Object a : args) {
            out.writeObject(a);
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        name = in.readString();
        timeoutNanos = in.readLong();
        int n = in.readInt();
        args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            args.add(in.readObject());
        }
    }
}
