package org.hzpy.deploy;

import org.hzpy.PyDeployException;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A zip archive read as zipimport and pip read one: from its central directory. Its file names are
 * listed without inflating anything (duplicates refused: which one would count?); chosen entries
 * are inflated with their bytes counted as they come, so a zip bomb stops at the limit. Not
 * thread-safe; used by one reader and closed.
 */
final class ZipArchive implements Closeable {
    /** Entries of any kind (directories included) read at most: a bound on the work before any check. */
    private static final int MAX_ENTRIES = PackagePaths.MAX_FILES * 2;
    private static final int BUFFER = 64 * 1024;

    private final ZipFile zip;
    private final String label;
    private final List<ZipEntry> files;

    private ZipArchive(ZipFile zip, String label, List<ZipEntry> files) {
        this.zip = zip;
        this.label = label;
        this.files = files;
    }

    /**
     * Opens {@code path} to deploy its files and lists them (directory entries are checked, then
     * skipped).
     *
     * @throws PyDeployException not a zip archive, more than 20,000 entries, an entry name that
     *                           breaks the path rules, or a name that appears twice
     */
    static ZipArchive open(Path path) {
        return open(path, true);
    }

    /**
     * Opens {@code path}, an archive on the module path, where zipimport reads it in place: nothing
     * is written anywhere, so its names are listed as they are.
     *
     * @throws PyDeployException not a zip archive, more than 20,000 entries
     */
    static ZipArchive openInPlace(Path path) {
        return open(path, false);
    }

    private static ZipArchive open(Path path, boolean deployed) {
        String label = String.valueOf(path.getFileName());
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (IOException | RuntimeException e) {
            throw new PyDeployException("refused " + label + ": not a readable zip archive (" + e.getMessage() + ")");
        }
        try {
            if (zip.size() > MAX_ENTRIES) {
                throw new PyDeployException("refused " + label + ": " + zip.size() + " entries, more than "
                        + MAX_ENTRIES + " (no pure-Python package needs that many)");
            }
            List<ZipEntry> files = new ArrayList<>();
            Set<String> names = new HashSet<>();
            Enumeration<? extends ZipEntry> entries = zip.entries(); // every central directory record, duplicates too
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!deployed) {
                    if (!name.endsWith("/")) {
                        files.add(entry);
                    }
                    continue;
                }
                if (!names.add(name)) {
                    throw new PyDeployException("refused " + label + ": the entry '" + PackagePaths.printable(name)
                            + "' appears twice in the archive (tools disagree on which one counts)");
                }
                boolean directory = name.endsWith("/");
                PackagePaths.check(directory ? name.substring(0, name.length() - 1) : name, label);
                if (!directory) {
                    files.add(entry);
                }
            }
            return new ZipArchive(zip, label, Collections.unmodifiableList(files));
        } catch (RuntimeException e) {
            closeQuietly(zip);
            if (e instanceof PyDeployException) {
                throw e;
            }
            throw new PyDeployException("refused " + label + ": not a readable zip archive (" + e.getMessage() + ")");
        }
    }

    /** The archive's file name, for messages. */
    String label() {
        return label;
    }

    /** The names of its files, in archive order (no directory entries). */
    List<String> fileNames() {
        List<String> names = new ArrayList<>(files.size());
        files.forEach(e -> names.add(e.getName()));
        return names;
    }

    /**
     * Inflates the files {@code wanted} accepts, in archive order, counting bytes as they come.
     *
     * @throws org.hzpy.PyResourceException past {@code maxBytes} in all (a zip bomb stops there)
     * @throws PyDeployException             an entry that cannot be read (corrupt, encrypted)
     */
    Map<String, byte[]> inflate(Predicate<String> wanted, long maxBytes) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        long total = 0;
        byte[] buffer = new byte[BUFFER];
        for (ZipEntry entry : files) {
            if (!wanted.test(entry.getName())) {
                continue;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Math.max(entry.getSize(), 0), BUFFER));
            try (InputStream in = zip.getInputStream(entry)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    total += n;
                    if (total > maxBytes) {
                        throw Limits.inflatedPast(label, total, maxBytes);
                    }
                    bytes.write(buffer, 0, n);
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof org.hzpy.PyResourceException) {
                    throw (org.hzpy.PyResourceException) e;
                }
                throw new PyDeployException("refused " + label + ": its entry '" + PackagePaths.printable(entry.getName())
                        + "' cannot be read (" + e.getMessage() + ")");
            }
            out.put(entry.getName(), bytes.toByteArray());
        }
        return out;
    }

    /** One small file's bytes (such as a wheel's WHEEL), at most {@code maxBytes}, or null when absent. */
    byte[] read(String name, long maxBytes) {
        Map<String, byte[]> one = inflate(name::equals, maxBytes);
        return one.get(name);
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // read-only: nothing was lost
        }
    }
}
