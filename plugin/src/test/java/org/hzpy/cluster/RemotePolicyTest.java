package org.hzpy.cluster;

import org.hzpy.HzpySettings;
import org.hzpy.PySandboxException;
import org.hzpy.support.Archives;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The remote policy's own bookkeeping, without a member: what it remembers of the module path. */
class RemotePolicyTest {
    @Test
    void theModulePathLookupRemembersABoundedNumberOfNames_andNoInvalidOne() {
        // Given the default policy with a module path
        Properties p = new Properties();
        p.setProperty("hzpy.module-path", "src/test/resources/pymodules");
        RemotePolicy policy = new RemotePolicy(HzpySettings.fromProperties(p));

        // When callers name thousands of modules that are not there, and names that are no identifiers
        for (int i = 0; i < 5_000; i++) {
            int n = i;
            catchThrowableOfType(PySandboxException.class, () -> policy.checkCall("nomod_" + n, "f"));
        }
        catchThrowableOfType(PySandboxException.class, () -> policy.checkCall("/etc", "f"));

        // Then the policy remembers at most its bound, and still finds the modules that are there
        assertThat(policy.cachedModuleNames()).isLessThanOrEqualTo(1024);
        policy.checkCall("testmod", "echo");
    }

    @Test
    void givenAZipOnTheModulePath_whenAClientCallsAModuleInIt_thenThePolicyFindsItThere(@TempDir Path tmp) throws IOException {
        // Given the default policy and a module path holding only a zip
        Path zip = Archives.zip(tmp.resolve("app.zip"), Map.of("zipped_tools.py", "def f():\n    return 1\n",
                "zipped_pkg/sub/__init__.py", ""));
        Properties p = new Properties();
        p.setProperty("hzpy.module-path", zip.toString());
        RemotePolicy policy = new RemotePolicy(HzpySettings.fromProperties(p));

        // When a client calls modules in the zip, and one that is not there  Then only those in the zip are allowed
        policy.checkCall("zipped_tools", "f");
        policy.checkCall("zipped_pkg.sub", "f");
        assertThat(catchThrowableOfType(PySandboxException.class, () -> policy.checkCall("elsewhere", "f")))
                .hasMessageContaining("hzpy.remote-modules is module-path");
    }
}
