package org.hzpy.deploy;

import org.hzpy.PyDeployException;
import org.hzpy.PyResourceException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The files of one deployment, validated: relative '/'-separated paths that stay inside the
 * directory they are written to, Python code under importable names, at least one importable
 * top-level module or package, and no more bytes than the limit it was built with. Compiled files
 * ({@code __pycache__/}, {@code *.pyc}) and {@code .pth} files are dropped. Built by
 * {@link Packages} from what a user deploys, and by {@link #of} again from what a member receives
 * through the cluster, which it treats as hostile.
 *
 * <p>Immutable and thread-safe: the byte arrays are copied in and handed out as copies.
 */
public final class PackageFiles {
    private final SortedMap<String, byte[]> files;
    private final Set<String> topLevelNames;
    private final long totalBytes;
    private final String digest;

    private PackageFiles(SortedMap<String, byte[]> files, Set<String> topLevelNames, long totalBytes) {
        this.files = files;
        this.topLevelNames = topLevelNames;
        this.totalBytes = totalBytes;
        this.digest = digestOf(files);
    }

    /**
     * Validates {@code files} (relative path with '/' separators to its bytes) and copies them.
     *
     * @throws PyDeployException   a path that is absolute, holds "..", ".", a backslash, a drive or
     *                             a control character, is too long, or is Python code under a
     *                             directory that is not an identifier; a path that is both a file
     *                             and a directory; more than 10,000 files; nothing importable
     * @throws PyResourceException more than {@code maxBytes} bytes in all
     * @throws NullPointerException     {@code files} is null
     * @throws IllegalArgumentException {@code maxBytes} is not positive
     */
    public static PackageFiles of(Map<String, byte[]> files, long maxBytes) {
        Objects.requireNonNull(files, "files");
        requirePositive(maxBytes);
        // hostile input: one pass that copies as it checks, so what is checked is what is kept
        SortedMap<String, byte[]> kept = new TreeMap<>();
        long total = 0;
        int seen = 0;
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            String path = e.getKey();
            byte[] bytes = e.getValue();
            if (path == null) {
                throw new PyDeployException("refused the deployment: a file has no path (null)");
            }
            if (bytes == null) {
                throw new PyDeployException("refused the deployment: the file '" + PackagePaths.printable(path)
                        + "' has no content (null)");
            }
            if (++seen > PackagePaths.MAX_FILES * 2) { // dropped files included: a bound on the work too
                throw tooManyFiles();
            }
            PackagePaths.check(path, "the deployment");
            if (PackagePaths.isDropped(path)) {
                continue;
            }
            total += bytes.length;
            Limits.checkTotal(total, maxBytes);
            if (kept.size() == PackagePaths.MAX_FILES) {
                throw tooManyFiles();
            }
            kept.put(path, bytes.clone());
        }
        if (kept.isEmpty()) {
            throw new PyDeployException("refused an empty deployment: it holds no files"
                    + (files.isEmpty() ? "" : " (only compiled or .pth files, which are dropped)"));
        }
        refuseFilesThatAreDirectories(kept);
        Set<String> names = new TreeSet<>();
        for (String path : kept.keySet()) {
            String name = PackagePaths.topLevelName(path);
            if (name != null && name.startsWith("__") && name.endsWith("__")) {
                // __init__.py at the root is a package zipped from inside; __main__ holds the functions exec defines
                throw new PyDeployException("refused the deployment: its top level holds '"
                        + PackagePaths.printable(path) + "', and " + name + " is a name of Python's own, not one to"
                        + " import; deploy a package as its directory (pricing/__init__.py, not __init__.py)");
            }
            if (name != null) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            throw new PyDeployException("refused the deployment: it provides nothing importable (no top-level"
                    + " module such as tools.py and no directory of Python files such as pricing/__init__.py);"
                    + " its files: " + sample(kept.keySet()));
        }
        return new PackageFiles(Collections.unmodifiableSortedMap(kept), Collections.unmodifiableSet(names), total);
    }

    /**
     * The files, sorted by path: an unmodifiable map of fresh copies (each call copies every file,
     * so hold on to the result rather than calling this in a loop).
     */
    public SortedMap<String, byte[]> files() {
        SortedMap<String, byte[]> copy = new TreeMap<>();
        files.forEach((path, bytes) -> copy.put(path, bytes.clone()));
        return Collections.unmodifiableSortedMap(copy);
    }

    /** The importable top-level modules and packages it provides, such as {@code pricing} and {@code tools}; never empty. */
    public Set<String> topLevelNames() {
        return topLevelNames;
    }

    /** The sum of the files' sizes. */
    public long totalBytes() {
        return totalBytes;
    }

    /** SHA-256 (lower-case hex) over each path and its bytes in path order: equal files, equal digest. */
    public String digest() {
        return digest;
    }

    /**
     * Writes the files under {@code emptyDirectory}, creating sub-directories; nothing outside it,
     * and nothing over an existing file.
     *
     * @throws IllegalArgumentException {@code emptyDirectory} is not empty
     * @throws IOException              it does not exist, or a file could not be written
     */
    public void writeTo(Path emptyDirectory) throws IOException {
        Objects.requireNonNull(emptyDirectory, "emptyDirectory");
        Path root = emptyDirectory.toRealPath();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            if (entries.iterator().hasNext()) {
                throw new IllegalArgumentException("not an empty directory: " + root);
            }
        }
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path target = root.resolve(e.getKey()).normalize();
            if (!target.startsWith(root) || target.equals(root)) { // the paths were checked: a second guard
                throw new IOException("refused to write outside " + root + ": " + e.getKey());
            }
            Files.createDirectories(target.getParent());
            // CREATE_NEW: never through a link or over a file that appeared meanwhile
            Files.write(target, e.getValue(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PackageFiles && ((PackageFiles) o).digest.equals(digest);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "PackageFiles" + topLevelNames + " (" + files.size() + " files, " + totalBytes + " bytes, sha256 "
                + digest.substring(0, 12) + ")";
    }

    static void requirePositive(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, not " + maxBytes);
        }
    }

    private static PyDeployException tooManyFiles() {
        return new PyDeployException("refused the deployment: more than " + PackagePaths.MAX_FILES
                + " files (no pure-Python package needs that many)");
    }

    /** "a" and "a/b.py" cannot both be written: refuse before anything is. */
    private static void refuseFilesThatAreDirectories(SortedMap<String, byte[]> files) {
        Set<String> directories = new HashSet<>();
        for (String path : files.keySet()) {
            for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
                directories.add(path.substring(0, slash));
            }
        }
        for (String path : files.keySet()) {
            if (directories.contains(path)) {
                throw new PyDeployException("refused the deployment: '" + PackagePaths.printable(path)
                        + "' is both a file and a directory");
            }
        }
    }

    private static String sample(Set<String> paths) {
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (String p : paths) {
            if (shown++ == 10) {
                return b.append(", ... (").append(paths.size()).append(" in all)").toString();
            }
            b.append(shown > 1 ? ", " : "").append(PackagePaths.printable(p));
        }
        return b.toString();
    }

    private static String digestOf(SortedMap<String, byte[]> files) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            // lengths first: ("ab", "c") and ("a", "bc") must not hash alike
            byte[] path = e.getKey().getBytes(StandardCharsets.UTF_8);
            sha.update(longBytes(path.length));
            sha.update(path);
            sha.update(longBytes(e.getValue().length));
            sha.update(e.getValue());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[Long.BYTES];
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }
}
