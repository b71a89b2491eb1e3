package org.hzpy.callbacks;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.PyArgs;
import org.hzpy.PyCall;
import org.hzpy.PyFunction;
import org.hzpy.runtime.HostFunctions;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The Java functions registered on this member, for {@code hzpy.call(name, *args)}. Names are
 * published cluster-wide (IMap {@value #REGISTRY}: name → the member that registered it last), so
 * Python on any member reaches a function registered on another; a name no member has is a
 * {@code LookupError} naming it. Thread-safe.
 */
public final class Callbacks {
    /** The IMap that names, for each function, the member that has it. */
    public static final String REGISTRY = "hzpy.functions";

    /**
     * How a function registered on another member is called from here: the cluster package sends
     * the call there (given at construction, so this package depends on no class of the cluster's).
     */
    @FunctionalInterface
    public interface Remote {
        Object call(HazelcastInstance from, Member owner, String name, List<Object> args, long deadlineNanos);
    }

    /** A function of this member and how the Python calls it makes run ({@code PyArgs.call}). */
    private record Local(PyFunction fn, Function<PyCall, Object> calls) {
    }

    private final HazelcastInstance member;
    private final Remote remote;
    private final Map<String, Local> local = new ConcurrentHashMap<>();

    public Callbacks(HazelcastInstance member, Remote remote) {
        this.member = member;
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    private IMap<String, String> registry() {
        return member.getMap(REGISTRY);
    }

    private String self() {
        return member.getCluster().getLocalMember().getUuid().toString();
    }

    /** @param calls how {@code fn}'s own Python calls run (the registering member's {@code Py.call}) */
    public void register(String name, PyFunction fn, Function<PyCall, Object> calls) {
        checkName(name);
        Objects.requireNonNull(fn, "fn");
        local.put(name, new Local(fn, Objects.requireNonNull(calls, "calls")));
        registry().set(name, self());
    }

    public void unregister(String name) {
        checkName(name);
        if (local.remove(name) != null) {
            registry().remove(name, self());
        }
    }

    /** On shutdown: this member's names leave the registry. */
    public void unregisterAll() {
        for (String name : local.keySet()) {
            try {
                registry().remove(name, self());
            } catch (RuntimeException e) {
                return; // the cluster is going or gone
            }
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a function name must not be null or blank, was '" + name + "'");
        }
    }

    /**
     * {@code hzpy.call(name, *args)} from Python on this member: args[0] is the name. Runs a function
     * of this member here, on the calling thread, or one of another member there.
     *
     * A local function's own Python calls run as it was registered to (nested in the calling Python call).
     */
    public Object invoke(List<Object> args, long deadlineNanos) {
        String name = (String) args.get(0);
        List<Object> rest = args.subList(1, args.size());
        Local fn = local.get(name);
        if (fn != null) {
            return run(fn.fn(), rest, deadlineNanos, new Chain(Thread.currentThread(), fn.calls()));
        }
        Member owner = ownerOf(name);
        if (owner == null) {
            throw HostFunctions.raiseAs("LookupError", "no Java function named '" + name
                    + "' is registered on any member of the cluster (Py.registerFunction)");
        }
        return remote.call(member, owner, name, rest, deadlineNanos);
    }

    /**
     * {@code hzpy.call_async(name, *args)} from a coroutine on this member: runs the function here, on
     * the calling thread, and returns what it returned — a {@code CompletionStage} unawaited (the
     * event loop resolves the Python future when it completes). Nobody waits, so the function's own
     * Python calls made from other threads run on their own, not nested. A function registered on
     * another member is refused (a {@code LookupError} that says to use {@code hzpy.call}).
     */
    public Object invokeAsync(List<Object> args, long deadlineNanos) {
        String name = (String) args.get(0);
        Local fn = local.get(name);
        if (fn == null) {
            Member owner = ownerOf(name);
            throw HostFunctions.raiseAs("LookupError", owner == null
                    ? "no Java function named '" + name + "' is registered on any member of the cluster (Py.registerFunction)"
                    : "hzpy.call_async reaches the Java functions registered on this member; '" + name + "' is registered on "
                    + owner.getAddress() + " (use hzpy.call, which waits)");
        }
        Chain unnested = new Chain(Thread.currentThread(), fn.calls());
        unnested.close();
        try {
            return fn.fn().apply(new PyArgs(args.subList(1, args.size()), unnested::call));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) { // checked: raised in Python as a RuntimeError naming it
            throw HostFunctions.raiseAs("RuntimeError", e.getClass().getName() + ": " + e.getMessage());
        }
    }

    /** A function of this member, for another member's Python that asked for it; its own calls run as registered. */
    public Object runHere(String name, List<Object> args, long deadlineNanos) {
        return runHere(name, args, deadlineNanos, null);
    }

    /**
     * A function of this member, for a caller elsewhere (another member's Python, a client).
     *
     * @param calls how the function's own Python calls run; null: as it was registered
     */
    public Object runHere(String name, List<Object> args, long deadlineNanos, Function<PyCall, Object> calls) {
        Local fn = local.get(name);
        if (fn == null) {
            throw HostFunctions.raiseAs("LookupError", "no Java function named '" + name + "' on "
                    + member.getCluster().getLocalMember().getAddress() + " any more");
        }
        return run(fn.fn(), args, deadlineNanos, new Chain(Thread.currentThread(), calls != null ? calls : fn.calls()));
    }

    private Member ownerOf(String name) {
        String uuid = registry().get(name);
        if (uuid == null) {
            return null;
        }
        for (Member m : member.getCluster().getMembers()) {
            if (m.getUuid().toString().equals(uuid)) {
                return m;
            }
        }
        return null; // registered by a member that has left
    }

    private static Object run(PyFunction fn, List<Object> args, long deadlineNanos, Chain chain) {
        Object result;
        try {
            result = fn.apply(new PyArgs(args, chain::call));
        } catch (RuntimeException e) {
            chain.close();
            throw e;
        } catch (Exception e) { // checked: raised in Python as a RuntimeError naming it
            chain.close();
            throw HostFunctions.raiseAs("RuntimeError", e.getClass().getName() + ": " + e.getMessage());
        }
        if (result instanceof CompletionStage<?> stage) {
            return chain.await(stage, deadlineNanos);
        }
        chain.close();
        return result;
    }
}
