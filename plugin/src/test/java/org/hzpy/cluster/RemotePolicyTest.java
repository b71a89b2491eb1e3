package org.hzpy.cluster;

import org.hzpy.HzpySettings;
import org.hzpy.PySandboxException;
import org.junit.jupiter.api.Test;

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
}
