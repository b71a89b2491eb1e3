package org.hzpy.deploy;

import org.hzpy.PyDeployException;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files of a package directory, under the directory's own name: {@code toml/} gives
 * {@code toml/__init__.py}, {@code toml/decoder.py}, ... Symbolic links are followed while they
 * stay inside the directory; one that leads outside, a loop, or anything that is not a regular
 * file (a pipe would block the reader) is refused. Stateless.
 */
final class PackageDirectory {
    private PackageDirectory() {
    }

    static Map<String, byte[]> read(Path directory, long maxBytes) {
        String name = directory.getFileName() == null ? "" : directory.getFileName().toString();
        if (name.isEmpty()) {
            throw new PyDeployException("cannot deploy " + directory + ": deploy a package directory (such as"
                    + " .../dist-packages/toml), not a file system's root");
        }
        Path root;
        try {
            root = directory.toRealPath();
        } catch (IOException e) {
            throw new PyDeployException("cannot read " + directory + ": " + e);
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        long[] total = {0};
        try {
            Files.walkFileTree(directory, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                            if (dir.getFileName() != null && dir.getFileName().toString().equals("__pycache__")) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            insideOrRefuse(dir, directory, root);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                            String path = name + "/" + relative(directory, file);
                            if (attrs.isSymbolicLink()) {
                                throw refused(directory, path, "is a symbolic link to nothing");
                            }
                            if (!attrs.isRegularFile()) {
                                throw refused(directory, path, "is not a regular file (a pipe, a device or a socket)");
                            }
                            insideOrRefuse(file, directory, root);
                            PackagePaths.check(path, directory.toString());
                            if (PackagePaths.isDropped(path)) {
                                return FileVisitResult.CONTINUE;
                            }
                            if (files.size() == PackagePaths.MAX_FILES) {
                                throw new PyDeployException("refused " + directory + ": more than "
                                        + PackagePaths.MAX_FILES + " files (no pure-Python package needs that many)");
                            }
                            Limits.checkTotal(total[0] + attrs.size(), maxBytes); // before reading it
                            byte[] bytes = Packages.readFile(file, maxBytes - total[0]);
                            total[0] += bytes.length;
                            Limits.checkTotal(total[0], maxBytes);
                            files.put(path, bytes);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            String path = name + "/" + relative(directory, file);
                            if (e instanceof FileSystemLoopException) {
                                throw refused(directory, path, "is a symbolic link that loops back to a directory"
                                        + " above it");
                            }
                            throw refused(directory, path, "cannot be read (" + e + ")");
                        }
                    });
        } catch (IOException e) {
            throw new PyDeployException("cannot read " + directory + ": " + e);
        }
        return files;
    }

    /** Refuses {@code p} when, its links resolved, it is not under the directory being read. */
    private static void insideOrRefuse(Path p, Path directory, Path root) throws IOException {
        if (!p.toRealPath().startsWith(root)) {
            throw refused(directory, directory.getFileName() + "/" + relative(directory, p),
                    "is a symbolic link that leads outside the directory (to " + p.toRealPath() + ")");
        }
    }

    /** {@code p} relative to {@code directory}, '/'-separated whatever the platform's separator. */
    private static String relative(Path directory, Path p) {
        StringBuilder b = new StringBuilder();
        for (Path part : directory.relativize(p)) {
            b.append(b.length() == 0 ? "" : "/").append(part);
        }
        return b.toString();
    }

    private static PyDeployException refused(Path directory, String path, String why) {
        return new PyDeployException("refused " + directory + ": '" + PackagePaths.printable(path) + "' " + why);
    }
}
