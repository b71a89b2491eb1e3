package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.Await;
import org.hzpy.support.DeployedFiles;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deployment switched under a running call in SHARED mode, where the call's own context takes the
 * switch (another thread's call syncs it) while the call still runs.
 */
class DeploymentSharedTest {
    private static HazelcastInstance member;
    private static Py py;
    private static PythonRuntime runtime;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch go = new CountDownLatch(1);
    private final ExecutorService caller = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void start() {
        member = TestMembers.startOwn("deploy-shared");
        py = TestMembers.py(member);
        runtime = HzpyPlugin.runtimeOf(member);
    }

    @AfterAll
    static void stop() {
        member.shutdown();
    }

    @AfterEach
    void cleanUp() {
        go.countDown();
        caller.shutdown();
        py.unregisterFunction("deploy_test.hold");
        runtime.deployedVersions().keySet().forEach(runtime::removeDeployment);
    }

    /** Version 1 current and a call into it holding in Python (until {@link #go}). */
    private CompletableFuture<Object> holdACallOnVersion1(Path v1) throws Exception {
        py.registerFunction("deploy_test.hold", args -> {
            started.countDown();
            return go.await(30, TimeUnit.SECONDS);
        });
        runtime.switchDeployment("pricing", 1, v1, Set.of("pricing"));
        CompletableFuture<Object> held = CompletableFuture.supplyAsync(() -> py.call("pricing", "hold_then_rate"), caller);
        if (!started.await(60, TimeUnit.SECONDS)) {
            held.get(1, TimeUnit.SECONDS); // its failure, if it failed
            throw new AssertionError("the held call did not reach Java");
        }
        return held;
    }

    @Test
    void aCallRunningAtTheSwitch_importsItsOwnVersion_afterAnotherCallSyncedTheContext() throws Exception {
        // Given a call holding on version 1
        CompletableFuture<Object> held = holdACallOnVersion1(DeployedFiles.pricing(1));
        // When version 2 becomes current and a new call (same context, another thread) runs it
        runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
        assertThat(py.call("deploy_client", "rate_by_from_import")).isEqualTo(20L);
        // Then the held call's lazy import, after both, still finds version 1's rates
        go.countDown();
        assertThat(held.get(60, TimeUnit.SECONDS)).isEqualTo(List.of(1L, 10L));
    }

    @Test
    void aReplacedVersion_staysUntilTheCallsRunningAtTheSwitchEnd() throws Exception {
        // Given a call holding on version 1, and version 2 current
        Path v1 = DeployedFiles.pricing(1);
        CompletableFuture<Object> held = holdACallOnVersion1(v1);
        runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
        py.call("pricing", "bump");
        // Then version 1's directory stays while the call runs (a few of the watchdog's sweeps)
        long ticks = runtime.watchdogTicks();
        Await.until(Duration.ofSeconds(30), "five watchdog ticks", () -> runtime.watchdogTicks() > ticks + 5);
        assertThat(v1).exists();
        // When the call ends, it goes
        go.countDown();
        held.get(60, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(30), "version 1's directory deleted", () -> !Files.exists(v1));
    }

    @Test
    void replacedVersionsKeptForRunningCalls_areBounded_theOldestGoingFirst() throws Exception {
        // Given a call holding on version 1
        Path v1 = DeployedFiles.pricing(1);
        CompletableFuture<Object> held = holdACallOnVersion1(v1);
        // When more versions replace it than are kept for running calls
        for (long v = 2; v <= Deployments.MAX_RETIRED + 2; v++) {
            runtime.switchDeployment("pricing", v, DeployedFiles.pricing(v), Set.of("pricing"));
        }
        // Then version 1 goes although its call still runs
        Await.until(Duration.ofSeconds(30), "version 1's directory deleted", () -> !Files.exists(v1));
        assertThat(held).isNotDone();
        go.countDown();
        held.handle((r, e) -> null).get(60, TimeUnit.SECONDS);
    }
}
