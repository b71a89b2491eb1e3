package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Python code deployed to the whole cluster ({@code Py.modules()}) on a 2-member cluster whose
 * clients may deploy ({@code members/deploy-*.yaml}), and a client of members that keep the default.
 * Each test deploys under a name of its own.
 */
class DeployTest {
    private static final Duration CALL_WAIT = Duration.ofMinutes(2);

    private static Py onA;
    private static Py onB;
    private static Py fromClient;

    @BeforeAll
    static void cluster() {
        HazelcastInstance a = TestMembers.deployA();
        HazelcastInstance b = TestMembers.deployB();
        Await.until(Duration.ofMinutes(2), "both members in the cluster", () -> a.getCluster().getMembers().size() == 2);
        onA = TestMembers.py(a);
        onB = TestMembers.py(b);
        fromClient = Py.on(TestMembers.clientOf(a));
    }

    /** A package of three modules: rates imports helpers, which imports rates back (inside a function). */
    private static Map<String, String> pricing(String version) {
        return Map.of(
                "pricing/__init__.py", "VERSION = '" + version + "'\n",
                "pricing/rates.py", """
                        from . import helpers
                        from pricing import VERSION

                        RATE = 2

                        def quote(n):
                            return [VERSION, helpers.scaled(n)]
                        """,
                "pricing/helpers.py", """
                        def scaled(n):
                            from pricing import rates
                            return n * rates.RATE
                        """);
    }

    @Test
    void aClientDeploysAPackage_andEveryMemberImportsIt() {
        // Given a client of members that allow remote deploys
        // When it deploys a package of three modules
        long version = fromClient.modules().deploy("pricing", pricing("one"));

        // Then both members import it by its plain name, and clients may call it like module-path code
        assertThat(onA.call("pricing.rates", "quote", 3)).isEqualTo(List.of("one", 6L));
        assertThat(onB.call("pricing.rates", "quote", 4)).isEqualTo(List.of("one", 8L));
        assertThat(fromClient.call("pricing.rates", "quote", 5)).isEqualTo(List.of("one", 10L));
        // ... and the list says what it is, who deployed it, and that both members loaded it
        PyModuleInfo info = infoOf(fromClient, "pricing");
        assertThat(info.version()).isEqualTo(version);
        assertThat(info.modules()).containsExactly("pricing");
        assertThat(info.deployedBy()).startsWith("client ");
        assertThat(info.loadedBy()).hasSize(2);
        assertThat(info.sizeBytes()).isPositive();
    }

    @Test
    void memberCode_deploysAPackageWhoseModulesImportEachOther() {
        // Given member code (which may always deploy)
        // When it deploys a package whose modules import each other, relatively and absolutely
        onA.modules().deploy("mutual", Map.of(
                "mutual/__init__.py", "",
                "mutual/left.py", "from . import right\n\ndef ping(n):\n    return 'left' if n == 0 else right.pong(n - 1)\n",
                "mutual/right.py", "import mutual.left\n\ndef pong(n):\n    return 'right' if n == 0 else mutual.left.ping(n - 1)\n"));

        // Then the calls go back and forth between them, on either member
        assertThat(onA.call("mutual.left", "ping", 3)).isEqualTo("right");
        assertThat(onB.call("mutual.right", "pong", 3)).isEqualTo("left");
        assertThat(infoOf(onB, "mutual").deployedBy()).startsWith("member ");
    }

    @Test
    void aClientOfMembersWithTheDefaultSettings_cannotDeploy() {
        // Given a client of a member that keeps hzpy.remote-deploy at its default
        Py remote = Py.on(TestMembers.clientOf(TestMembers.remoteDefaults()));

        // When it deploys, Then it is refused, saying which setting would allow it
        assertThatThrownBy(() -> remote.modules().deploy("sneaky", Map.of("sneaky.py", "def run():\n    return 1\n")))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("hzpy.remote-deploy");
        // ... and nothing was stored or imported
        assertThat(remote.modules().list()).noneMatch(i -> i.name().equals("sneaky"));
        assertThatThrownBy(() -> Py.on(TestMembers.remoteDefaults()).call("sneaky", "run"))
                .isInstanceOf(PythonException.class)
                .hasMessageContaining("sneaky");
    }

    /** A module whose hold() waits (bounded) for the test's signal, then imports a submodule it had not imported yet. */
    private static Map<String, String> inflight(String version) {
        return Map.of(
                "inflight/__init__.py", """
                        import time
                        import hzpy

                        VERSION = '%s'

                        def version():
                            return VERSION

                        def hold(tag):
                            hzpy.state_incr('inflight-started')
                            deadline = time.monotonic() + 60
                            while hzpy.state_get('inflight-go-' + tag) is None and time.monotonic() < deadline:
                                time.sleep(0.05)
                            from inflight import late
                            return [VERSION, late.VERSION]
                        """.formatted(version),
                "inflight/late.py", "VERSION = '" + version + "'\n");
    }

    @Test
    void callsRunningDuringADeploy_finishOnTheirVersion_whileCallsThatStartAfterItSeeTheNewOne() throws Exception {
        // Given version one, and a long call on each member that started on it
        fromClient.modules().deploy("inflight", inflight("one"));
        CompletableFuture<Object> onAHold = onA.callAsync(PyCall.of("inflight", "hold", "a")).toCompletableFuture();
        CompletableFuture<Object> onBHold = onB.callAsync(PyCall.of("inflight", "hold", "b")).toCompletableFuture();
        Await.until(CALL_WAIT, "both long calls started", () -> onA.state().fetch("inflight-started").map(v -> (Long) v >= 2).orElse(false));

        // When version two is deployed
        fromClient.modules().deploy("inflight", inflight("two"));

        // Then calls that start now see it on both members
        assertThat(onA.call("inflight", "version")).isEqualTo("two");
        assertThat(onB.call("inflight", "version")).isEqualTo("two");
        // ... while the calls that were running finish on version one, even what they import after the deploy
        onA.state().store("inflight-go-a", true);
        onA.state().store("inflight-go-b", true);
        assertThat(onAHold.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(List.of("one", "one"));
        assertThat(onBHold.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(List.of("one", "one"));
    }

    private static Map<String, String> counter(String version) {
        return Map.of("counter.py", "VERSION = '" + version + "'\ncount = 0\n\ndef bump():\n    global count\n    count += 1\n"
                + "    return [VERSION, count]\n");
    }

    @Test
    void aRollback_bringsAKeptVersionBack_withItsModuleStateFresh() {
        // Given version one, used, then version two
        long one = fromClient.modules().deploy("counter", counter("one"));
        onA.call("counter", "bump");
        onA.call("counter", "bump");
        long two = fromClient.modules().deploy("counter", counter("two"));
        assertThat(onA.call("counter", "bump")).isEqualTo(List.of("two", 1L));

        // When the client rolls back to version one
        fromClient.modules().rollback("counter", one);

        // Then both members run version one again, its module state started afresh
        assertThat(onA.call("counter", "bump")).isEqualTo(List.of("one", 1L));
        assertThat(onB.call("counter", "bump")).isEqualTo(List.of("one", 1L));
        PyModuleInfo info = infoOf(fromClient, "counter");
        assertThat(info.version()).isEqualTo(one);
        assertThat(info.versions()).containsExactly(one, two);
    }

    @Test
    void aRollbackToAVersionNotKept_isRefused() {
        // Given a deployment with one version
        long one = fromClient.modules().deploy("single", Map.of("single.py", "X = 1\n"));

        // When a client rolls back to a version that was never deployed, Then it is refused, naming what is kept
        assertThatThrownBy(() -> fromClient.modules().rollback("single", one + 5))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("not kept")
                .hasMessageContaining("[" + one + "]");
    }

    @Test
    void aRemovedDeployment_givesItsNameBackToTheModulePath() {
        // Given a deployment of a module the members also have on their module path (testmod)
        fromClient.modules().deploy("testmod-override", Map.of("testmod.py", "def echo(x):\n    return ['deployed', x]\n"));
        assertThat(onB.call("testmod", "echo", 1)).isEqualTo(List.of("deployed", 1L));

        // When it is removed
        fromClient.modules().remove("testmod-override");

        // Then the module path's testmod is back on both members, and the list no longer has it
        assertThat(onA.call("testmod", "echo", 1)).isEqualTo(1L);
        assertThat(onB.call("testmod", "echo", 1)).isEqualTo(1L);
        assertThat(fromClient.modules().list()).noneMatch(i -> i.name().equals("testmod-override"));
        assertThatThrownBy(() -> fromClient.modules().remove("testmod-override")).isInstanceOf(PyDeployException.class);
    }

    @Test
    void aDebianWheel_isImported_andImportlibMetadataKnowsItsVersion() throws IOException {
        // Given Debian's wheel of pip (python3-pip-whl)
        Path wheel = debianWheel("pip");
        String version = wheel.getFileName().toString().split("-")[1];

        // When a client deploys it
        fromClient.modules().deploy("pip", wheel);

        // Then the members import it, and importlib.metadata reads its version from the wheel's dist-info
        assertThat(onA.eval("__import__('pip').__version__")).isEqualTo(version);
        assertThat(onB.call("importlib.metadata", "version", "pip")).isEqualTo(version);
        assertThat(infoOf(fromClient, "pip").modules()).contains("pip");
    }

    @Test
    void aDeploymentThatWouldShadowTheStandardLibrary_isRefused() {
        // When a client deploys a module named json, Then it is refused naming it, and json is still the standard one
        assertThatThrownBy(() -> fromClient.modules().deploy("myjson", Map.of("json.py", "def dumps(x):\n    return 'fake'\n")))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("json");
        assertThat(onA.call("json", "dumps", List.of(1L))).isEqualTo("[1]");
        assertThat(fromClient.modules().list()).noneMatch(i -> i.name().equals("myjson"));
    }

    @Test
    void aDeploymentPastTheSizeLimit_isRefused_andNothingChanges() {
        // Given members that keep at most 12 MB of deployed code
        // When a client deploys 13 MB, Then it is refused naming the limit, and nothing was stored
        String big = "DATA = '" + "x".repeat(13 << 20) + "'\n";
        assertThatThrownBy(() -> fromClient.modules().deploy("big", Map.of("big.py", big)))
                .isInstanceOf(PyResourceException.class)
                .hasMessageContaining("hzpy.deploy-max-bytes");
        assertThat(fromClient.modules().list()).noneMatch(i -> i.name().equals("big"));
    }

    @Test
    void aJetStage_callsADeployedModule_andAJobAfterTheNextDeployRunsTheNextVersion() {
        // Given a deployed module with a Jet handler, and a job that runs it
        fromClient.modules().deploy("jetscale", Map.of("jetscale.py", "def scale_all(items):\n    return [x * 2 for x in items]\n"));
        assertThat(scaledByJet(List.of(1L, 2L, 3L))).containsExactlyInAnyOrder(2L, 4L, 6L);

        // When the next version is deployed, Then the next job runs it
        fromClient.modules().deploy("jetscale", Map.of("jetscale.py", "def scale_all(items):\n    return [x * 3 for x in items]\n"));
        assertThat(scaledByJet(List.of(1L, 2L, 3L))).containsExactlyInAnyOrder(3L, 6L, 9L);
    }

    private static List<Long> scaledByJet(List<Long> items) {
        String sink = "deploy-jet-" + java.util.UUID.randomUUID();
        com.hazelcast.jet.pipeline.Pipeline p = com.hazelcast.jet.pipeline.Pipeline.create();
        p.readFrom(com.hazelcast.jet.pipeline.test.TestSources.items(items))
                .apply(org.hzpy.jet.PyTransforms.<Long, Long>mapUsingPythonBatch(org.hzpy.jet.PyStageConfig.of("jetscale", "scale_all")))
                .writeTo(com.hazelcast.jet.pipeline.Sinks.list(sink));
        onA.instance().getJet().newJob(p).join();
        return new java.util.ArrayList<>(onA.instance().<Long>getList(sink));
    }

    private static PyModuleInfo infoOf(Py py, String name) {
        return py.modules().list().stream().filter(i -> i.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no deployment " + name + " in " + py.modules().list()));
    }

    /** Debian's wheel of {@code project} under /usr/share/python-wheels (scripts/debian-packages.sh installs it). */
    static Path debianWheel(String project) throws IOException {
        Path dir = Path.of("/usr/share/python-wheels");
        try (Stream<Path> files = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            return files.filter(p -> p.getFileName().toString().startsWith(project + "-") && p.toString().endsWith(".whl"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no wheel of " + project + " in " + dir
                            + ": install Debian's python3-" + project + "-whl (scripts/debian-packages.sh does)"));
        }
    }
}
