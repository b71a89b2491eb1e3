package org.hzpy.deploy;

import org.hzpy.PyDeployException;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code .zip} or pure-Python wheel on {@code hzpy.module-path}, which Python imports from in
 * place (zipimport): checked when the member starts, and asked which top-level modules it provides
 * (for {@code hzpy.remote-modules: module-path}). Only the archive's directory is read, and a wheel's
 * {@code WHEEL} file. For hzpy's settings and remote policy; not a user API. Stateless.
 */
public final class ModulePathArchive {
    private ModulePathArchive() {
    }

    /** Whether {@code path} names an archive for the module path: a {@code .zip} or {@code .whl} file name. */
    public static boolean isArchiveName(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".zip") || name.endsWith(".whl");
    }

    /**
     * Checks the archive at {@code path} and returns the top-level modules and packages Python can
     * import from it (possibly none).
     *
     * @throws PyDeployException not a readable zip archive; a wheel that holds native code, is
     *                           built for a platform, or keeps modules under
     *                           {@code <name>.data/purelib} (which zipimport cannot see)
     */
    public static Set<String> check(Path path) {
        try (ZipArchive zip = ZipArchive.openInPlace(path)) {
            if (Wheels.isWheel(zip.label())) {
                Wheels.checkPure(zip);
                String relocated = Wheels.firstRelocated(zip.fileNames());
                if (relocated != null) {
                    throw new PyDeployException("refused " + zip.label() + " on the module path: its file "
                            + PackagePaths.printable(relocated) + " is installed elsewhere by pip, so Python cannot"
                            + " import it from the wheel itself; deploy the wheel (it is installed then), or"
                            + " install it into a directory and put that on the module path");
                }
            }
            Set<String> names = new TreeSet<>();
            for (String file : zip.fileNames()) {
                String name = PackagePaths.topLevelName(file);
                if (name != null) {
                    names.add(name);
                }
            }
            return Collections.unmodifiableSet(names);
        }
    }
}
