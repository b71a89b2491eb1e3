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

    @Test
    void theNameCheckAcceptsExactlyTheDottedIdentifiersOfItsDefinition() {
        // Given names a caller could send: identifiers, dotted ones, letters and digits of other
        // scripts, a letter outside the BMP, lone surrogates, and what paths and code are made of
        java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of("", "a", "_", "a1", "1a", "a.b",
                "a.1b", "a..b", ".a", "a.", "mod.sub_2.f", "__main__", "caf\u00e9", "\u0444\u0443\u043d\u043a",
                "x\u0663", "\u0663x", "x\u2167", "x\u00b2", "\ud835\udc00b", "a\ud800", "a\udc00b", "a-b", "a b",
                "../etc", "/etc/passwd", "os.system;", "a\u0000", "\u00b7a", "a\u00b7", "\u0301a"));
        java.util.Random random = new java.util.Random(21);
        String pool = "ab_.1\u0663\u2167\u00e9-/\ud835\udc00\ud800 ";
        for (int i = 0; i < 2_000; i++) { // and random short strings over those characters
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(6); k >= 0; k--) {
                b.append(pool.charAt(random.nextInt(pool.length())));
            }
            names.add(b.toString());
        }

        // Then the hand-written check agrees with the pattern on every one
        for (String name : names) {
            assertThat(RemotePolicy.validName(name)).as(name).isEqualTo(RemotePolicy.DOTTED_NAME.matcher(name).matches());
        }
        assertThat(RemotePolicy.validName("a".repeat(201))).isFalse();
        assertThat(RemotePolicy.validName(null)).isFalse();
    }
}
