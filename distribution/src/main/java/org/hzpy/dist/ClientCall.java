package org.hzpy.dist;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyException;
import org.hzpy.PyMemoryStats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code bin/hzpy-member call MODULE.FUNCTION [ARG...]}: a Hazelcast client that calls one Python
 * function on the cluster the member configuration describes (its cluster name; its members'
 * addresses, or {@code HZPY_CLUSTER=host:port,...}), prints the result, then each member's engine
 * as {@link Py#memoryStats()} reports it. Arguments that read as integers or decimals are passed as
 * numbers, the others as strings. Exit status: 0, 1 on a Python error, 2 on bad usage, 3 when a
 * member runs without the JIT. Single-threaded.
 */
public final class ClientCall {
    /** Held so the level sticks: java.util.logging keeps loggers weakly. */
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
    /** A member the configuration names without a port is tried on this many ports from the configured one (Hazelcast's own rule). */
    private static final int PORTS_TRIED = 3;
    private static final long CONNECT_TIMEOUT_MILLIS = 60_000;
    /** A member that has just started may still be starting or warming up its contexts. */
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(3);

    private ClientCall() {
    }

    public static void main(String[] args) {
        int dot = args.length == 0 ? -1 : args[0].lastIndexOf('.');
        if (dot <= 0 || dot == args[0].length() - 1) {
            System.err.println("usage: bin/hzpy-member call MODULE.FUNCTION [ARG...]   e.g. call example.hello World");
            System.exit(2);
        }
        HAZELCAST_LOG.setLevel(Level.WARNING);
        Config member = Config.load(); // the members' configuration, as the launcher names it
        ClientConfig config = new ClientConfig();
        config.setClusterName(member.getClusterName());
        config.getNetworkConfig().setAddresses(addresses(member.getNetworkConfig()));
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(CONNECT_TIMEOUT_MILLIS);
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        int status = 0;
        try {
            Py py = Py.on(client);
            List<Object> callArgs = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                callArgs.add(number(args[i]));
            }
            System.out.println(py.call(PyCall.of(args[0].substring(0, dot), args[0].substring(dot + 1), callArgs.toArray())
                    .timeout(CALL_TIMEOUT)));
            for (PyMemoryStats m : py.memoryStats()) {
                System.out.println("member " + m.member() + ": " + (m.jitActive() ? "Graal JIT active"
                        : "NO JIT (interpreter only)") + ", " + m.contexts() + " Python contexts");
                if (!m.jitActive()) {
                    status = 3;
                }
            }
        } catch (PyException e) {
            System.err.println(e.getMessage());
            status = 1;
        } finally {
            client.shutdown();
        }
        System.exit(status);
    }

    /** HZPY_CLUSTER if set, else each member of the tcp-ip join (127.0.0.1 when none) on the configured ports. */
    private static List<String> addresses(NetworkConfig network) {
        String given = System.getenv("HZPY_CLUSTER");
        if (given != null && !given.isBlank()) {
            return List.of(given.split(","));
        }
        List<String> hosts = network.getJoin().getTcpIpConfig().getMembers();
        List<String> addresses = new ArrayList<>();
        for (String host : hosts.isEmpty() ? List.of("127.0.0.1") : hosts) {
            if (host.contains(":")) {
                addresses.add(host);
            } else {
                for (int p = 0; p < PORTS_TRIED; p++) {
                    addresses.add(host + ":" + (network.getPort() + p));
                }
            }
        }
        return addresses;
    }

    private static Object number(String arg) {
        try {
            return Long.parseLong(arg);
        } catch (NumberFormatException notAnInteger) {
            try {
                return arg.matches("-?\\d+\\.\\d+") ? Double.parseDouble(arg) : arg;
            } catch (NumberFormatException notADecimal) {
                return arg;
            }
        }
    }
}
