package org.hzpy;

import org.hzpy.support.MemoryBombMember;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory guard stops Python that would run the member out of heap, before the member's own
 * threads fail. In a JVM of its own with a 768 MB heap: a bomb must not damage the test JVM.
 */
class MemoryGuardTest {

    @Test
    void memoryBomb_isStoppedWithAResourceError_beforeTheMemberRunsOutOfHeap() throws Exception {
        // Given a member in its own JVM (768 MB heap, hzpy.memory-guard: 75%)
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-Xmx") && !arg.startsWith("-javaagent") && !arg.startsWith("-agentlib")) {
                command.add(arg);
            }
        }
        command.add("-Xmx768m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MemoryBombMember.class.getName());

        // When Python keeps allocating a megabyte at a time and never lets go
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try {
            output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(3, TimeUnit.MINUTES)).as("the bomb member ended").isTrue();
        } finally {
            child.destroyForcibly();
        }
        Map<String, String> result = results(output);

        // Then the call fails with PyResourceException naming the limit, and the member is healthy:
        // no OutOfMemoryError anywhere, Python serves again, the IMap works, no permit is held
        assertThat(result.get("OUTCOME")).as(output).startsWith(PyResourceException.class.getName())
                .contains("memory guard", "hzpy.memory-guard=75%");
        assertThat(result.get("OOM")).as(output).isEqualTo("0");
        assertThat(result.get("AFTER")).as(output).isEqualTo("alive");
        assertThat(result.get("IMAP")).as(output).isEqualTo("v");
        assertThat(result.get("PERMITS")).as(output).isEqualTo("0");
        assertThat(result.get("TRIPS")).as(output).isNotEqualTo("0");
        assertThat(child.exitValue()).as(output).isZero();
    }

    private static Map<String, String> results(String output) {
        Map<String, String> result = new HashMap<>();
        for (String line : output.split("\n")) {
            for (String key : List.of("OUTCOME", "AFTER", "IMAP", "PERMITS", "TRIPS", "OOM")) {
                if (line.startsWith(key + " ")) {
                    result.put(key, line.substring(key.length() + 1).trim());
                }
            }
        }
        return result;
    }

    @Test
    void theMembersOwnDataOverTheLimit_neitherStopsPythonNorMakesTheGuardCollectInALoop() throws Exception {
        // Given a member in its own JVM (512 MB heap, G1, hzpy.memory-guard: 75%) whose IMap data
        // fills the heap past 80% while no Python runs
        try (org.hzpy.support.MemberProcess member = org.hzpy.support.MemberProcess.start(300, System.getProperty("java.class.path"),
                arg -> !arg.startsWith("-Xmx") && !arg.startsWith("-XX:+Use"), List.of("-XX:+UseG1GC", "-Xmx512m"),
                org.hzpy.support.DataHeavyMember.class)) {
            // When it sits idle for 6 s, then Python that allocates little is called
            String refusing = member.awaitLine("REFUSING ", 240);

            // Then the guard asked for no collection, the JVM ran at most one full one, and the call was
            // served: the member's data is not Python's doing
            Map<String, String> result = results(member.output(), List.of("FILLED", "IDLE_FULL_GCS", "IDLE_GUARD_GCS", "CALL", "ENTRIES"));
            System.out.println("DataHeavyMember " + result); // the figures, for the record
            assertThat(result.get("CALL")).as(member.output()).isEqualTo("served");
            assertThat(refusing).isEqualTo("REFUSING null");
            assertThat(result.get("IDLE_GUARD_GCS")).as(member.output()).isEqualTo("0");
            assertThat(Long.parseLong(result.get("IDLE_FULL_GCS"))).as(member.output()).isLessThanOrEqualTo(1);
        }
    }

    private static Map<String, String> results(String output, List<String> keys) {
        Map<String, String> result = new HashMap<>();
        for (String line : output.split("\n")) {
            for (String key : keys) {
                if (line.startsWith(key + " ")) {
                    result.put(key, line.substring(key.length() + 1).trim());
                }
            }
        }
        return result;
    }

    @Test
    void aMemberOnTheSerialCollector_startsWithItsGuardOn() throws Exception {
        // Given the serial collector, whose old generation is smaller than the guard's limit (the JVM
        // picks it by itself on machines with one CPU or under 2 GB)
        List<String> options = List.of("-XX:+UseSerialGC", "-Xmx512m");

        // When a member with the memory guard on starts there
        try (org.hzpy.support.MemberProcess member = org.hzpy.support.MemberProcess.start(300, System.getProperty("java.class.path"),
                arg -> !arg.startsWith("-Xmx") && !arg.startsWith("-XX:+Use"), options, org.hzpy.support.ChildMember.class,
                "memory-guard", "0")) {

            // Then it starts and serves Python
            assertThat(member.awaitLine("READY", 240)).isEqualTo("READY");
        }
    }
}
