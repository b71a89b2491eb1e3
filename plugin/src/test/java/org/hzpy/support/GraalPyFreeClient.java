package org.hzpy.support;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PythonException;

/**
 * A client in a JVM whose class path has no GraalPy ({@link MemberProcess}): {@code
 * GraalPyFreeClient CLUSTER HOST:PORT} prints whether GraalPy is loadable, then the results of a
 * call and of a failing call made through {@link Py} on that cluster, and the shared state's
 * value under {@code graalpy-free-client}.
 */
public final class GraalPyFreeClient {
    private GraalPyFreeClient() {
    }

    public static void main(String[] args) {
        boolean graalPy;
        try {
            Class.forName("org.graalvm.polyglot.Context");
            graalPy = true;
        } catch (ClassNotFoundException e) {
            graalPy = false;
        }
        System.out.println("GRAALPY " + graalPy);
        ClientConfig config = new ClientConfig();
        config.setClusterName(args[0]);
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().addAddress(args[1]);
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        try {
            Py py = Py.on(client);
            System.out.println("RESULT " + py.call("testmod", "add", 20, 22));
            try {
                py.call("testmod", "fail", "ünïcode");
            } catch (PythonException e) {
                System.out.println("ERROR " + e.pythonType() + " " + e.message());
            }
            System.out.println("STATE " + py.state().fetch("graalpy-free-client").orElse(null));
        } finally {
            client.shutdown();
        }
    }
}
