package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyDeployException;
import org.hzpy.PyException;
import org.hzpy.PythonException;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.Await;
import org.hzpy.support.DeployedFiles;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Deployed modules inside one member's runtime (ISOLATED mode, 2 contexts, the test modules on the
 * module path): which module a name imports, versions switching, and what a deployment may not do.
 * The switch under a running call in SHARED mode is {@link DeploymentSharedTest}'s.
 */
class DeploymentTest {
    private static HazelcastInstance member;
    private static Py py;
    private static PythonRuntime runtime;

    @BeforeAll
    static void start() {
        member = TestMembers.startOwn("deploy-isolated");
        py = TestMembers.py(member);
        runtime = HzpyPlugin.runtimeOf(member);
    }

    @AfterAll
    static void stop() {
        member.shutdown();
    }

    @AfterEach
    void removeDeployments() {
        runtime.deployedVersions().keySet().forEach(runtime::removeDeployment);
    }

    private static void deployTestmod(long version, String answer) {
        runtime.switchDeployment("testmod-dist", version, DeployedFiles.write(Map.of("testmod.py",
                "def echo(x):\n    return '" + answer + ":' + str(x)\n")), Set.of("testmod"));
    }

    // ------------------------------------------------------------------ which module a name imports

    @Test
    void aDeployedModule_isCalledInsteadOfTheModulePathOne() {
        // Given testmod on the module path, called once
        assertThat(py.call("testmod", "echo", "a")).isEqualTo("a");
        // When a deployment provides testmod
        deployTestmod(1, "deployed");
        // Then a call by name reaches the deployed one
        assertThat(py.call("testmod", "echo", "a")).isEqualTo("deployed:a");
    }

    @Test
    void removingADeployment_makesTheModulePathModuleCallableAgain() {
        // Given a deployed testmod, called once
        deployTestmod(1, "deployed");
        assertThat(py.call("testmod", "echo", "a")).isEqualTo("deployed:a");
        // When the deployment is removed
        runtime.removeDeployment("testmod-dist");
        // Then the module path's testmod answers again
        assertThat(py.call("testmod", "echo", "a")).isEqualTo("a");
        assertThat(runtime.deployedVersions()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rate_by_from_import", "rate_by_dunder_import", "rate_by_importlib", "rate_by_relative_importlib"})
    void moduleLevelImportsInModulePathCode_importTheCurrentVersion(String function) {
        // Given version 1 of pricing deployed and imported by module-path code
        runtime.switchDeployment("pricing", 1, DeployedFiles.pricing(1), Set.of("pricing"));
        assertThat(py.call("deploy_client", function)).isEqualTo(10L);
        // When version 2 replaces it
        runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
        // Then the same import in a new call finds version 2
        assertThat(py.call("deploy_client", function)).isEqualTo(20L);
    }

    @Test
    void theImportStatement_inModulePathCode_importsTheCurrentVersion() {
        runtime.switchDeployment("pricing", 1, DeployedFiles.pricing(1), Set.of("pricing"));
        assertThat(py.call("deploy_client", "version_by_import")).isEqualTo(1L);
        runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
        assertThat(py.call("deploy_client", "version_by_import")).isEqualTo(2L);
    }

    @Test
    void anotherDeploymentsModule_importsTheCurrentVersion() {
        // Given a deployment whose module imports pricing, and pricing version 1
        runtime.switchDeployment("billing", 1, DeployedFiles.write(Map.of("billing.py",
                "def rate():\n    import pricing.rates\n    return pricing.rates.RATE\n")), Set.of("billing"));
        runtime.switchDeployment("pricing", 1, DeployedFiles.pricing(1), Set.of("pricing"));
        assertThat(py.call("billing", "rate")).isEqualTo(10L);
        // When pricing version 2 replaces it
        runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
        // Then billing's next call imports version 2
        assertThat(py.call("billing", "rate")).isEqualTo(20L);
    }

    @Test
    void callsThatBeginAfterASwitch_seeTheNewVersionInEveryContext() {
        // Given version 1, called in both contexts
        runtime.switchDeployment("pricing", 1, DeployedFiles.pricing(1), Set.of("pricing"));
        for (int i = 0; i < 2; i++) {
            assertThat(TestMembers.inContext(py, i, () -> py.call("pricing", "bump"))).isEqualTo(1L);
        }
        // When version 2 becomes current
        runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
        // Then each context's next call runs version 2, its eval too
        for (int i = 0; i < 2; i++) {
            assertThat(TestMembers.inContext(py, i, () -> py.eval("__import__('pricing').VERSION"))).isEqualTo(2L);
            assertThat(TestMembers.inContext(py, i, () -> py.call("pricing", "bump"))).isEqualTo(1L);
        }
    }

    @Test
    void moduleState_startsFreshWithEachVersion() {
        // Given version 1, whose counter reached 2
        runtime.switchDeployment("pricing", 1, DeployedFiles.pricing(1), Set.of("pricing"));
        TestMembers.inContext(py, 0, () -> py.call("pricing", "bump"));
        assertThat(TestMembers.inContext(py, 0, () -> py.call("pricing", "bump"))).isEqualTo(2L);
        // When version 2 replaces it
        runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
        // Then its counter starts again
        assertThat(TestMembers.inContext(py, 0, () -> py.call("pricing", "bump"))).isEqualTo(1L);
    }

    @Test
    void rollingBack_toAnOlderVersionWithItsFiles_switchesLikeAnyOtherVersion() {
        // Given versions 1 then 2, version 2's counter at 1
        runtime.switchDeployment("pricing", 1, DeployedFiles.pricing(1), Set.of("pricing"));
        runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
        TestMembers.inContext(py, 0, () -> py.call("pricing", "bump"));
        // When version 1 is made current again, with its files
        runtime.switchDeployment("pricing", 1, DeployedFiles.pricing(1), Set.of("pricing"));
        // Then calls run version 1, fresh
        assertThat(runtime.deployedVersions()).containsExactly(Map.entry("pricing", 1L));
        assertThat(py.call("deploy_client", "version_by_import")).isEqualTo(1L);
        assertThat(TestMembers.inContext(py, 0, () -> py.call("pricing", "bump"))).isEqualTo(1L);
    }

    @Test
    void switchingToTheCurrentVersionAgain_changesNothingAndDeletesTheNewDirectory() {
        // Given version 1, its counter at 1
        runtime.switchDeployment("pricing", 1, DeployedFiles.pricing(1), Set.of("pricing"));
        TestMembers.inContext(py, 0, () -> py.call("pricing", "bump"));
        // When version 1 is switched to again
        Path again = DeployedFiles.pricing(1);
        runtime.switchDeployment("pricing", 1, again, Set.of("pricing"));
        // Then the module keeps its state and the second directory is gone
        assertThat(TestMembers.inContext(py, 0, () -> py.call("pricing", "bump"))).isEqualTo(2L);
        assertThat(again).doesNotExist();
    }

    @Test
    void deployedVersionsAndNames_describeTheCurrentDeployments() {
        runtime.switchDeployment("pricing", 3, DeployedFiles.pricing(3), Set.of("pricing"));
        deployTestmod(7, "x");
        assertThat(runtime.deployedVersions()).isEqualTo(Map.of("pricing", 3L, "testmod-dist", 7L));
        assertThat(runtime.deployedModuleNames()).isEqualTo(Set.of("pricing", "testmod"));
        runtime.removeDeployment("pricing");
        assertThat(runtime.deployedModuleNames()).isEqualTo(Set.of("testmod"));
    }

    // ------------------------------------------------------------------ calls running at a switch

    @Test
    void aCallRunningAtTheSwitch_finishesOnItsVersion_evenForAModuleItImportsAfterwards() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        py.registerFunction("deploy_test.hold", args -> {
            started.countDown();
            try {
                return go.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        try {
            // Given version 1 and a call into it that holds in context 0
            runtime.switchDeployment("pricing", 1, DeployedFiles.pricing(1), Set.of("pricing"));
            java.util.concurrent.CompletableFuture<Object> held = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> TestMembers.inContext(py, 0, () -> py.call("pricing", "hold_then_rate")),
                    java.util.concurrent.Executors.newSingleThreadExecutor());
            if (!started.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                held.get(1, java.util.concurrent.TimeUnit.SECONDS); // its failure, if it failed
                throw new AssertionError("the held call did not reach Java");
            }
            // When version 2 becomes current while it holds
            runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
            // Then a call that begins now (the other context) runs version 2
            assertThat(TestMembers.inContext(py, 1, () -> py.call("deploy_client", "rate_by_from_import"))).isEqualTo(20L);
            // and the held call, let go, imports version 1's rates
            go.countDown();
            assertThat(held.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(List.of(1L, 10L));
            // and its context's next call runs version 2
            assertThat(TestMembers.inContext(py, 0, () -> py.call("deploy_client", "rate_by_from_import"))).isEqualTo(20L);
        } finally {
            go.countDown();
            py.unregisterFunction("deploy_test.hold");
        }
    }

    @Test
    void aReplacedVersionsDirectory_isDeletedOnceNoCallRunsOnIt() {
        // Given version 1, called once
        Path v1 = DeployedFiles.pricing(1);
        runtime.switchDeployment("pricing", 1, v1, Set.of("pricing"));
        py.call("pricing", "bump");
        // When version 2 replaces it and no call is running
        runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
        // Then version 1's directory goes
        Await.until(Duration.ofSeconds(30), "version 1's directory deleted", () -> !Files.exists(v1));
    }

    // ------------------------------------------------------------------ packages

    @Test
    void aPackageWhoseModulesImportEachOther_works() {
        // Given a package whose two modules import each other, relatively and absolutely
        runtime.switchDeployment("cycle", 1, DeployedFiles.write(Map.of(
                "cycle/__init__.py", "",
                "cycle/a.py", "from . import b\nimport cycle.b\ndef twice(x):\n    return b.double(x) + cycle.b.double(0)\nBASE = 1\n",
                "cycle/b.py", "from . import a\nimport cycle.a\n"
                        + "def double(x):\n    return 2 * x + a.BASE - 1 + cycle.a.BASE - 1\n")), Set.of("cycle"));
        // When a call goes through both
        // Then each finds the other
        assertThat(py.call("cycle.a", "twice", 21)).isEqualTo(42L);
    }

    @Test
    void aTraceback_namesTheDeployedFileAndVersion() {
        runtime.switchDeployment("pricing", 3, DeployedFiles.pricing(3), Set.of("pricing"));
        assertThatThrownBy(() -> py.call("pricing", "fail_in_rates"))
                .isInstanceOf(PythonException.class)
                .satisfies(e -> assertThat(((PythonException) e).traceback()).contains("<deploy pricing@3>/pricing/rates.py"));
    }

    @Test
    void importlibMetadata_readsTheCurrentVersionsDistribution() {
        // Given versions 1.0 then 2.0 of a deployment holding dist-info
        runtime.switchDeployment("tinydist", 1, tinydist("1.0"), Set.of("tinydist"));
        runtime.switchDeployment("tinydist", 2, tinydist("2.0"), Set.of("tinydist"));
        // Then importlib.metadata sees the current one only
        assertThat(py.eval("__import__('importlib.metadata').metadata.version('tinydist')")).isEqualTo("2.0");
    }

    @Test
    void importlibMetadata_doesNotSeeARemovedDeployment() {
        runtime.switchDeployment("tinydist", 1, tinydist("1.0"), Set.of("tinydist"));
        assertThat(py.eval("__import__('importlib.metadata').metadata.version('tinydist')")).isEqualTo("1.0");
        runtime.removeDeployment("tinydist");
        assertThatThrownBy(() -> py.eval("__import__('importlib.metadata').metadata.version('tinydist')"))
                .isInstanceOf(PythonException.class).hasMessageContaining("PackageNotFoundError");
    }

    private static Path tinydist(String version) {
        return DeployedFiles.write(Map.of("tinydist.py", "X = 1\n",
                "tinydist-" + version + ".dist-info/METADATA", "Metadata-Version: 2.1\nName: tinydist\nVersion: " + version + "\n"));
    }

    // ------------------------------------------------------------------ what a deployment may not do

    @ParameterizedTest
    @ValueSource(strings = {"json", "os", "sys", "_hzpy_internal", "_hzpy_scope_1", "hzpy", "polyglot", "java", "site",
            "__graalpython__"})
    void aReservedName_isRefusedNamingItAndWhy(String name) {
        Path dir = DeployedFiles.write(Map.of(name + ".py", "X = 1\n"));
        assertThatThrownBy(() -> runtime.switchDeployment("shadow", 1, dir, Set.of(name)))
                .isInstanceOf(PyDeployException.class).hasMessageContaining("'" + name + "'")
                .hasMessageMatching(".*(standard library|hzpy's own|host's).*");
        assertThat(runtime.deployedVersions()).isEmpty();
    }

    @Test
    void aDirectoryThatDoesNotExist_isRefusedAsADeployment() {
        Path missing = Path.of("target", "deploy-tests", "no-such-version");
        assertThatThrownBy(() -> runtime.switchDeployment("pricing", 1, missing, Set.of("pricing")))
                .isInstanceOf(PyDeployException.class).hasMessageContaining("pricing").hasMessageContaining("no-such-version");
        assertThat(runtime.deployedVersions()).isEmpty();
    }

    @Test
    void reservedModuleNames_holdTheStandardLibraryAndTheHostsNames() {
        assertThat(runtime.reservedModuleNames()).contains("json", "os", "importlib", "hzpy", "_hzpy_internal", "polyglot",
                "site", "__graalpython__");
    }

    @Test
    void aNameAnotherDeploymentProvides_isRefusedNamingThatDeployment() {
        runtime.switchDeployment("first", 1, DeployedFiles.pricing(1), Set.of("pricing"));
        assertThatThrownBy(() -> runtime.switchDeployment("second", 1, DeployedFiles.pricing(2), Set.of("pricing")))
                .isInstanceOf(PyDeployException.class).hasMessageContaining("'pricing'").hasMessageContaining("deployment first");
        assertThat(py.call("deploy_client", "version_by_import")).isEqualTo(1L);
    }

    // ------------------------------------------------------------------ the sandbox

    @Test
    void aDeployedVersionsFiles_areReadableByPython_andNotOnceTheVersionIsDeleted() throws Exception {
        // Given version 1, whose file Python reads
        Path v1 = DeployedFiles.pricing(1);
        String file = v1.resolve("pricing/rates.py").toString();
        String read = "len(open(" + pyString(file) + ").read()) > 0";
        runtime.switchDeployment("pricing", 1, v1, Set.of("pricing"));
        assertThat(py.eval(read)).isEqualTo(true);
        // When the deployment is removed and its directory deleted, then a file put back at that path
        runtime.removeDeployment("pricing");
        Await.until(Duration.ofSeconds(30), "version 1's directory deleted", () -> !Files.exists(v1));
        Files.createDirectories(v1.resolve("pricing"));
        Files.writeString(v1.resolve("pricing/rates.py"), "SECRET = 1\n");
        try {
            // Then Python may not read it
            assertThatThrownBy(() -> py.eval(read)).isInstanceOf(PyException.class).hasMessageContaining("ermission");
        } finally {
            Files.delete(v1.resolve("pricing/rates.py"));
        }
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    // ------------------------------------------------------------------ exec code

    @Test
    void execCodeReplayedIntoAnotherContext_importsTheDeployedModule() {
        // Given a deployment no call has used yet, and exec code (run in context 0) that imports it
        runtime.switchDeployment("pricing", 4, DeployedFiles.pricing(4), Set.of("pricing"));
        long failures = py.stats().execReplayFailures();
        TestMembers.inContext(py, 0, () -> {
            py.exec("import pricing as _deploy_test_pricing\nDEPLOY_TEST_SAW = _deploy_test_pricing.VERSION");
            return null;
        });
        // When context 1 catches up
        Object saw = TestMembers.inContext(py, 1, () -> py.eval("DEPLOY_TEST_SAW"));
        // Then its replay imported the deployment (no replay failed)
        assertThat(saw).isEqualTo(4L);
        assertThat(py.stats().execReplayFailures()).isEqualTo(failures);
    }
}
