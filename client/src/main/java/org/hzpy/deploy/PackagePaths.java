package org.hzpy.deploy;

import org.hzpy.PyDeployException;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The rules for a path inside a deployment: relative, '/'-separated, no way out of the directory
 * it is written to, and importable where it is Python code. Every path a deployment holds passes
 * {@link #check}, whoever sent it. Stateless.
 */
final class PackagePaths {
    /** More files than any pure-Python package needs (pip's wheel has 500, setuptools' 250). */
    static final int MAX_FILES = 10_000;
    static final int MAX_PATH_CHARS = 400;
    /** Bytes of one name: what common file systems allow. */
    private static final int MAX_SEGMENT_BYTES = 255;
    static final String DIST_INFO = ".dist-info";
    static final String DATA = ".data";

    private PackagePaths() {
    }

    /**
     * Refuses a path that is not relative and '/'-separated, or that could name something outside
     * the deployment's root on any platform (".", "..", a drive, a backslash, a NUL, control
     * characters), or whose Python module would not be importable (a .py file under a directory
     * that is not an identifier).
     *
     * @param where what the path came from, for the message (e.g. "pricing.zip")
     */
    static void check(String path, String where) {
        if (path.isEmpty()) {
            throw refused(path, where, "is empty");
        }
        if (path.length() > MAX_PATH_CHARS) {
            throw refused(path.substring(0, 60) + "...", where, "is longer than " + MAX_PATH_CHARS + " characters");
        }
        if (path.startsWith("/")) {
            throw refused(path, where, "is absolute (paths in a deployment are relative to its root)");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                throw refused(path, where, "holds a backslash (separate directories with '/')");
            }
            if (c == ':') {
                throw refused(path, where, "holds a ':' (a drive letter or an alternate data stream on Windows)");
            }
            if (c < 0x20 || c == 0x7f) {
                throw refused(path, where, "holds a control character (such as NUL)");
            }
        }
        String[] segments = path.split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw refused(path, where, "holds an empty name ('//' or a trailing '/')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw refused(path, where, "holds '" + segment + "' (a deployment names nothing outside its root)");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw refused(path, where, "holds a name longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
        }
        if (isPython(path) && !isWheelMetadataOrData(segments[0])) {
            for (int i = 0; i < segments.length - 1; i++) {
                if (!isIdentifier(segments[i])) {
                    throw refused(path, where, "is Python code under '" + segments[i] + "', which is not a Python"
                            + " identifier, so it could never be imported; rename the directory (e.g. "
                            + segments[i].replaceAll("[^\\p{L}\\p{N}_]", "_") + ")");
                }
            }
        }
    }

    /**
     * A wheel's {@code *.dist-info} (metadata, never imported) or {@code *.data} (installed elsewhere:
     * its purelib part is checked again where it lands).
     */
    private static boolean isWheelMetadataOrData(String firstSegment) {
        String lower = firstSegment.toLowerCase(Locale.ROOT);
        return lower.endsWith(DIST_INFO) || lower.endsWith(DATA);
    }

    /** Compiled files, which GraalPy does not read from a deployment; never kept. */
    static boolean isDropped(String path) {
        return path.endsWith(".pyc") || path.startsWith("__pycache__/") || path.contains("/__pycache__/")
                // site's path configuration files run code at start-up: nothing in a deployment does
                || path.endsWith(".pth");
    }

    static boolean isPython(String path) {
        return path.endsWith(".py");
    }

    /**
     * The importable top-level name {@code path} provides, or null: "x" for "x.py", "x" for
     * "x/...py" (a package or namespace package); never a wheel's metadata or data directory.
     */
    static String topLevelName(String path) {
        if (!isPython(path)) {
            return null;
        }
        int slash = path.indexOf('/');
        String name = slash < 0 ? path.substring(0, path.length() - ".py".length()) : path.substring(0, slash);
        return isWheelMetadataOrData(name) || !isIdentifier(name) ? null : name;
    }

    /** A Python identifier (letters, digits and '_', not starting with a digit; Unicode letters too). */
    static boolean isIdentifier(String s) {
        if (s.isEmpty()) {
            return false;
        }
        int first = s.codePointAt(0);
        if (first != '_' && !Character.isUnicodeIdentifierStart(first)) {
            return false;
        }
        return s.codePoints().skip(1).allMatch(cp ->
                cp == '_' || (Character.isUnicodeIdentifierPart(cp) && !Character.isIdentifierIgnorable(cp)));
    }

    private static PyDeployException refused(String path, String where, String why) {
        return new PyDeployException("refused " + where + ": the path '" + printable(path) + "' " + why);
    }

    /** The path as it can be shown in a message: control characters as \\uXXXX. */
    static String printable(String path) {
        StringBuilder b = new StringBuilder(path.length());
        path.codePoints().limit(200).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }
}
