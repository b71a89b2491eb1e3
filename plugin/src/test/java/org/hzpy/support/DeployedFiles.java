package org.hzpy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Deployment versions for the runtime's deployment tests: files written to a fresh directory
 * under target/ (the runtime takes the directory over and deletes it). The {@code pricing}
 * package of version N: {@code VERSION = N}, a counter, {@code pricing.rates.RATE = 10 * N}, and a
 * call that holds on a Java function, then imports {@code pricing.rates} lazily.
 */
public final class DeployedFiles {
    private DeployedFiles() {
    }

    /** A new directory holding {@code files} (relative path -> content). */
    public static Path write(Map<String, String> files) {
        try {
            Path base = Files.createDirectories(Path.of("target", "deploy-tests"));
            Path dir = Files.createTempDirectory(base, "v").toRealPath();
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Version {@code n} of the package {@code pricing}. */
    public static Path pricing(long n) {
        return write(Map.of("pricing/__init__.py", """
                VERSION = %d
                counter = 0

                def bump():
                    global counter
                    counter += 1
                    return counter

                def hold_then_rate():
                    import hzpy
                    hzpy.call("deploy_test.hold")  # returns once the test lets it go
                    import pricing.rates           # lazily: after the switch
                    return [VERSION, pricing.rates.RATE]

                def fail_in_rates():
                    from . import rates
                    rates.fail()
                """.formatted(n), "pricing/rates.py", """
                RATE = %d

                def fail():
                    raise ValueError("no rate")
                """.formatted(10 * n)));
    }
}
