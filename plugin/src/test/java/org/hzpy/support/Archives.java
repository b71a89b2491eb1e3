package org.hzpy.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Zip archives and wheels built by tests, hostile ones included: entries are written as named
 * (".." and absolute paths too), in the order given.
 */
public final class Archives {
    private Archives() {
    }

    /** A zip at {@code file} holding {@code entries} (name to UTF-8 text), in order. */
    public static Path zip(Path file, Map<String, String> entries) throws IOException {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        entries.forEach((name, text) -> bytes.put(name, text.getBytes(StandardCharsets.UTF_8)));
        Files.write(file, zipBytes(bytes));
        return file;
    }

    /** The bytes of a zip holding {@code entries}, deflated, in order. */
    public static byte[] zipBytes(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /**
     * A zip whose entries {@code first} and {@code second} (names of one length) both end up named
     * {@code first}: Java's ZipOutputStream refuses duplicates, so the second name is overwritten in
     * the local and central headers (the CRC covers the data, not the name).
     */
    public static Path zipWithDuplicate(Path file, String first, String second) throws IOException {
        if (first.length() != second.length()) {
            throw new IllegalArgumentException("names of one length only");
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(first, "A = 1\n".getBytes(StandardCharsets.UTF_8));
        entries.put(second, "A = 2\n".getBytes(StandardCharsets.UTF_8));
        byte[] zip = zipBytes(entries);
        byte[] from = second.getBytes(StandardCharsets.UTF_8);
        byte[] to = first.getBytes(StandardCharsets.UTF_8);
        int replaced = 0;
        for (int i = 0; i + from.length <= zip.length; i++) {
            if (java.util.Arrays.equals(zip, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, zip, i, to.length);
                replaced++;
            }
        }
        if (replaced != 2) {
            throw new IllegalStateException("expected the name in 2 headers, found " + replaced);
        }
        Files.write(file, zip);
        return file;
    }

    /**
     * A wheel at {@code dir/name-1.0-tag.whl} with a {@code name-1.0.dist-info} (WHEEL with
     * {@code purelib} and {@code tag}, METADATA) and {@code files}.
     */
    public static Path wheel(Path dir, String name, String tag, boolean purelib, Map<String, String> files)
            throws IOException {
        Map<String, String> entries = new LinkedHashMap<>(files);
        String distInfo = name + "-1.0.dist-info/";
        entries.put(distInfo + "METADATA", "Metadata-Version: 2.1\nName: " + name + "\nVersion: 1.0\n");
        entries.put(distInfo + "WHEEL", "Wheel-Version: 1.0\nGenerator: hzpy-test\nRoot-Is-Purelib: " + purelib
                + "\nTag: " + tag + "\n\n");
        entries.put(distInfo + "RECORD", "");
        return zip(dir.resolve(name + "-1.0-" + tag + ".whl"), entries);
    }
}
