package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PyOutcome;
import org.hzpy.PyTimeoutException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client's call of a Java function registered on a member ({@code Py.registerFunction}), sent as
 * an executor task. An executor task cannot tell who sent it, so this one is always treated as a
 * client's: refused unless the member sets {@code hzpy.remote-callbacks: true}, and then the
 * function's nested Python calls are remote calls (remote policy, a permit each). Python on a
 * member reaches a function registered on another member through {@link CallbackOp} instead,
 * which only members can send ({@link #runOn}). Not thread-safe: one per call.
 */
public final class FunctionTask implements Callable<PyOutcome>, IdentifiedDataSerializable, HazelcastInstanceAware {
    private final Payload payload = new Payload();
    private transient HazelcastInstance member;

    FunctionTask() {
    }

    /** What a client sends to call function {@code name} with {@code args} on the member it submits it to. */
    public static FunctionTask of(String name, List<Object> args, Duration timeout) {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(args, "args");
        java.util.Objects.requireNonNull(timeout, "timeout");
        FunctionTask t = new FunctionTask();
        t.payload.set(name, args, timeout.toNanos());
        return t;
    }

    /**
     * Runs function {@code name} on {@code owner} for Python on member {@code from} (as a member-only
     * {@link CallbackOp}) and waits for it until {@code deadlineNanos}.
     */
    public static Object runOn(HazelcastInstance from, Member owner, String name, List<Object> args, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new PyTimeoutException("no time left to call Java function '" + name + "'");
        }
        CompletableFuture<PyOutcome> answer = MemberOps.invoke(from, new CallbackOp(name, args, left), owner);
        try {
            return answer.get(left, TimeUnit.NANOSECONDS).get();
        } catch (ExecutionException e) {
            throw new org.hzpy.PyUnavailableException("Java function '" + name + "' on " + owner.getAddress()
                    + " could not be reached: " + e.getCause());
        } catch (TimeoutException e) {
            throw new PyTimeoutException("Java function '" + name + "' on " + owner.getAddress()
                    + " did not answer before its Python call's deadline");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyCancelledException("stopped while waiting for Java function '" + name + "'");
        }
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    /** Runs on the member: its handling is the member's ({@link TaskHandlers#callFunction}). */
    @Override
    public PyOutcome call() {
        return TaskHandlers.of(member).callFunction(member, this);
    }

    Payload payload() {
        return payload;
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
        payload.write(out);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        payload.read(in);
    }

    /** A function call as it travels: name, time left, arguments (only values hzpy converts, bounded). */
    static final class Payload {
        private String name;
        private long timeoutNanos;
        private List<Object> args = List.of();
        private WireValues.Refused refused;

        void set(String name, List<Object> args, long timeoutNanos) {
            this.name = name;
            this.args = new ArrayList<>(args);
            this.timeoutNanos = timeoutNanos;
        }

        String name() {
            return name;
        }

        List<Object> args() {
            return args;
        }

        long timeoutNanos() {
            return timeoutNanos;
        }

        /** @throws PyException if the call, as read, is refused */
        void checkRead() {
            if (refused != null) {
                throw refused.asPyException("Java function '" + name + "'");
            }
        }

        void write(ObjectDataOutput out) throws IOException {
            out.writeString(name);
            out.writeLong(timeoutNanos);
            out.writeInt(args.size());
            for (Object a : args) {
                WireValues.write(out, a);
            }
        }

        void read(ObjectDataInput in) throws IOException {
            WireValues.Refused[] unconverted = new WireValues.Refused[1];
            try {
                name = in.readString();
                timeoutNanos = in.readLong();
                int n = WireValues.count(in, 1, "an argument count");
                List<Object> read = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    read.add(WireValues.read(in, unconverted));
                }
                args = read;
                refused = unconverted[0];
            } catch (WireValues.Refused e) {
                refused = e;
            } catch (java.io.EOFException | RuntimeException e) { // ends early, or a string's length beyond its end
                refused = new WireValues.Refused("the message ends before the values it announces", false);
            }
        }
    }
}
