package org.hzpy.support;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.test.TestSources;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyMemoryStats;
import org.hzpy.PyOutcome;
import org.hzpy.PyStream;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A client in a JVM whose class path is this class, the hzpy-client artifact and Hazelcast's jar
 * ({@code ClientArtifactTest}): {@code ClientArtifactClient CLUSTER HOST:PORT} prints its class path's
 * size, whether GraalPy, hzpy's runtime and its plugin are loadable, then what a call, a stream,
 * {@code memoryStats()}, a parallel batch, a module deployed from here and a Jet job with a Python
 * stage give on that cluster, one line each.
 * Uses nothing of the tests' own (their support classes are not on its class path).
 */
public final class ClientArtifactClient {
    private ClientArtifactClient() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("CLASSPATH " + System.getProperty("java.class.path").split(File.pathSeparator).length);
        System.out.println("GRAALPY " + loadable("org.graalvm.polyglot.Context"));
        System.out.println("RUNTIME " + loadable("org.hzpy.runtime.PythonRuntime"));
        System.out.println("PLUGIN " + loadable("org.hzpy.cluster.HzpyPlugin"));
        ClientConfig config = new ClientConfig();
        config.setClusterName(args[0]);
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().addAddress(args[1]);
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        try {
            Py py = Py.on(client);
            System.out.println("CALL " + py.call("testmod", "add", 20, 22));
            List<Object> items = new ArrayList<>();
            try (PyStream stream = py.stream(PyCall.of("remotestreams", "numbers", "client-artifact", 5), 2)) {
                stream.forEachRemaining(items::add);
            }
            System.out.println("STREAM " + items);
            TreeSet<Integer> ports = new TreeSet<>();
            for (PyMemoryStats s : py.memoryStats()) {
                ports.add(Integer.parseInt(s.member().substring(s.member().lastIndexOf(':') + 1)));
            }
            System.out.println("MEMORY " + ports);
            List<Object> values = new ArrayList<>();
            for (PyOutcome o : py.parallel(List.of(PyCall.of("testmod", "add", 1, 2), PyCall.of("testmod", "add", 3, 4)))) {
                values.add(o.get());
            }
            System.out.println("PARALLEL " + values);
            py.modules().deploy("client-artifact", Map.of("client_artifact_mod.py", "def hello():\n    return 'deployed'\n"));
            System.out.println("DEPLOY " + py.call("client_artifact_mod", "hello"));
            Pipeline p = Pipeline.create();
            p.readFrom(TestSources.items(1L, 2L, 3L))
                    .apply(PyTransforms.<Long, Long>mapUsingPythonBatch(PyStageConfig.of("jetmod", "double_all")))
                    .writeTo(Sinks.list("client-artifact-sink"));
            client.getJet().newJob(p).join();
            System.out.println("JET " + new TreeSet<>(client.<Long>getList("client-artifact-sink")));
        } finally {
            client.shutdown();
        }
    }

    private static boolean loadable(String className) {
        try {
            Class.forName(className, false, ClientArtifactClient.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
