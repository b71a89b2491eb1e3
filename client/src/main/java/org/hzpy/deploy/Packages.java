package org.hzpy.deploy;

import org.hzpy.PyDeployException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns what a user deploys into validated {@link PackageFiles}: a {@code .py} file, a package
 * directory, a {@code .zip}, a pure-Python wheel, or sources in memory. Stateless and thread-safe.
 */
public final class Packages {
    private Packages() {
    }

    /**
     * Reads {@code path}:
     * <ul>
     * <li>a {@code .py} file: one module, named by its file name ({@code six.py});</li>
     * <li>a directory: its files under the directory's name ({@code toml/__init__.py}, ...), as a
     * package directory such as {@code /usr/lib/python3/dist-packages/toml}; a symbolic link that
     * leads outside it is refused;</li>
     * <li>a {@code .zip}: its files as they lie in the archive, as on the module path;</li>
     * <li>a {@code .whl}: a pure-Python wheel as pip would install it ({@code *.dist-info} kept,
     * {@code <name>.data/purelib/} at the root, the rest of {@code .data/} and {@code .pth} files
     * dropped); one with native code is refused.</li>
     * </ul>
     *
     * @throws org.hzpy.PyDeployException   nothing to deploy there, content that breaks a rule of
     *                                      {@link PackageFiles#of}, a wheel that is not pure Python
     * @throws org.hzpy.PyResourceException more than {@code maxBytes} bytes of files (counted as
     *                                      an archive inflates, so a zip bomb stops there)
     * @throws NullPointerException         {@code path} is null
     * @throws IllegalArgumentException     {@code maxBytes} is not positive
     */
    public static PackageFiles read(Path path, long maxBytes) {
        Objects.requireNonNull(path, "path");
        PackageFiles.requirePositive(maxBytes);
        Path file = path.toAbsolutePath().normalize();
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (Files.isDirectory(file)) {
            return PackageFiles.of(PackageDirectory.read(file, maxBytes), maxBytes);
        }
        if (!Files.isRegularFile(file)) {
            throw new PyDeployException("nothing to deploy at " + file + ": no such file or directory");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.endsWith(".py")) {
            return PackageFiles.of(Map.of(name, readFile(file, maxBytes)), maxBytes);
        }
        if (lower.endsWith(".zip")) {
            try (ZipArchive zip = ZipArchive.open(file)) {
                return PackageFiles.of(zip.inflate(entry -> !PackagePaths.isDropped(entry), maxBytes), maxBytes);
            }
        }
        if (Wheels.isWheel(name)) {
            return readWheel(file, maxBytes);
        }
        throw new PyDeployException("cannot deploy " + file + ": deploy a .py file, a package directory, a .zip"
                + " or a pure-Python wheel (.whl)");
    }

    /**
     * Sources in memory, keyed by path as they would lie on the module path
     * ({@code "pricing/__init__.py"}, {@code "tools.py"}), encoded as UTF-8.
     *
     * @throws org.hzpy.PyDeployException   a path that breaks a rule of {@link PackageFiles#of}, a
     *                                      source that is not valid Unicode (a lone surrogate)
     * @throws org.hzpy.PyResourceException more than {@code maxBytes} bytes once encoded
     * @throws NullPointerException         {@code files} is null
     * @throws IllegalArgumentException     {@code maxBytes} is not positive
     */
    public static PackageFiles fromSources(Map<String, String> files, long maxBytes) {
        Objects.requireNonNull(files, "files");
        PackageFiles.requirePositive(maxBytes);
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, String> e : files.entrySet()) {
            if (e.getValue() == null) {
                throw new PyDeployException("refused the deployment: the file '" + PackagePaths.printable(
                        String.valueOf(e.getKey())) + "' has no source (null)");
            }
            byte[] bytes = utf8(e.getKey(), e.getValue());
            total += bytes.length;
            Limits.checkTotal(total, maxBytes); // before encoding the rest
            encoded.put(e.getKey(), bytes);
        }
        return PackageFiles.of(encoded, maxBytes);
    }

    private static PackageFiles readWheel(Path file, long maxBytes) {
        try (ZipArchive wheel = ZipArchive.open(file)) {
            Wheels.checkPure(wheel);
            Map<String, byte[]> inflated = wheel.inflate(entry -> {
                String installed = Wheels.installedPath(entry);
                return installed != null && !PackagePaths.isDropped(installed);
            }, maxBytes);
            Map<String, byte[]> installed = new LinkedHashMap<>();
            inflated.forEach((entry, bytes) -> {
                String target = Wheels.installedPath(entry);
                if (installed.put(target, bytes) != null) {
                    throw new PyDeployException("refused " + wheel.label() + ": two of its files install as '"
                            + PackagePaths.printable(target) + "' (one under .data/purelib or platlib)");
                }
            });
            return PackageFiles.of(installed, maxBytes);
        }
    }

    static byte[] readFile(Path file, long maxBytes) {
        try {
            long size = Files.size(file);
            Limits.checkTotal(size, maxBytes); // before reading it
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PyDeployException("cannot read " + file + ": " + e);
        }
    }

    private static byte[] utf8(String path, String source) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(source));
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new PyDeployException("refused the deployment: the source of '" + PackagePaths.printable(
                    String.valueOf(path)) + "' is not valid Unicode (a lone surrogate), so it has no UTF-8 form");
        }
    }
}
