package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PyModuleInfo;
import org.hzpy.PyOutcome;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;
import org.hzpy.deploy.PackageFiles;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client's {@link ModuleStore}: each request runs on one member (chosen at random), which changes
 * the cluster's deployments as its own code would — if its {@code hzpy.remote-deploy} allows it —
 * and answers once every member has switched. Thread-safe.
 */
public final class RemoteDeployments implements ModuleStore {
    /** A change waits for the deployment's lock (30 s) and for every member to switch (30 s), plus the transfer. */
    private static final Duration CHANGE_WAIT = Duration.ofMinutes(3);
    /** A list asks every member what it loaded (10 s). */
    private static final Duration LIST_WAIT = Duration.ofSeconds(40);

    private final HazelcastInstance client;

    public RemoteDeployments(HazelcastInstance client) {
        this.client = client;
    }

    @Override
    public long deploy(String name, PackageFiles files) {
        String by = "client " + client.getName() + " " + client.getLocalEndpoint().getUuid();
        return ((Number) send(ModulesTask.deploy(name, files, by), CHANGE_WAIT, "deploying " + name)).longValue();
    }

    @Override
    public List<PyModuleInfo> list() {
        return ModuleInfos.fromWire(send(ModulesTask.list(), LIST_WAIT, "listing the deployments"));
    }

    @Override
    public void remove(String name) {
        send(ModulesTask.remove(name), CHANGE_WAIT, "removing " + name);
    }

    @Override
    public void rollback(String name, long version) {
        send(ModulesTask.rollback(name, version), CHANGE_WAIT, "rolling " + name + " back to version " + version);
    }

    private Object send(ModulesTask task, Duration wait, String what) {
        Member target = anyDataMember();
        var answer = client.getExecutorService(RemoteRuntime.CONTROL_EXECUTOR).submitToMember(task, target);
        try {
            PyOutcome outcome = answer.get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return outcome.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PyException p ? p
                    : RemoteRuntime.unavailable(e.getCause(), target.getAddress().toString(), null);
        } catch (TimeoutException e) {
            throw new PyTimeoutException(what + ": no answer from " + target.getAddress() + " within " + wait.toSeconds()
                    + " s; list() shows what the members hold");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyCancelledException(what + ": interrupted while waiting for the cluster's answer");
        }
    }

    private Member anyDataMember() {
        List<Member> members = new ArrayList<>();
        for (Member m : client.getCluster().getMembers()) {
            if (!m.isLiteMember()) {
                members.add(m);
            }
        }
        if (members.isEmpty()) {
            throw new PyUnavailableException("the cluster has no data member to deploy to");
        }
        return members.get(ThreadLocalRandom.current().nextInt(members.size()));
    }
}
