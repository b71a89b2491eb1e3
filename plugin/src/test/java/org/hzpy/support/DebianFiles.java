package org.hzpy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files of Debian packages that tests read; scripts/debian-packages.sh (run by test.sh) installs
 * them. A missing one fails the test with the package to install (no test is skipped).
 */
public final class DebianFiles {
    private static final Path WHEELS = Path.of("/usr/share/python-wheels");
    private static final Path DIST_PACKAGES = Path.of("/usr/lib/python3/dist-packages");

    private DebianFiles() {
    }

    /** The wheel of {@code project} Debian ships in /usr/share/python-wheels/ (e.g. "pip", from python3-pip-whl). */
    public static Path wheel(String project, String debianPackage) {
        if (Files.isDirectory(WHEELS)) {
            try (DirectoryStream<Path> found = Files.newDirectoryStream(WHEELS, project + "-*-py3-none-any.whl")) {
                for (Path p : found) {
                    return p;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw missing(WHEELS.resolve(project + "-*-py3-none-any.whl"), debianPackage);
    }

    /** {@code /usr/lib/python3/dist-packages/name} (a module file or a package directory) of {@code debianPackage}. */
    public static Path distPackage(String name, String debianPackage) {
        Path p = DIST_PACKAGES.resolve(name);
        if (!Files.exists(p)) {
            throw missing(p, debianPackage);
        }
        return p;
    }

    /** The version in the file name of a wheel ({@code pip-23.0.1-py3-none-any.whl}: 23.0.1). */
    public static String versionOf(Path wheel) {
        return wheel.getFileName().toString().split("-")[1];
    }

    private static AssertionError missing(Path p, String debianPackage) {
        return new AssertionError("this test reads " + p + " from the Debian package " + debianPackage
                + ", which is not installed: run scripts/debian-packages.sh tests (./test.sh does), or"
                + " apt-get install -y " + debianPackage);
    }
}
