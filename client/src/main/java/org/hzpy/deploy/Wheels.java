package org.hzpy.deploy;

import org.hzpy.PyDeployException;
import org.hzpy.PyResourceException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What makes a wheel pure Python, and where its files go once installed (the wheel format,
 * PEP 427): its {@code *.dist-info/WHEEL} must say {@code Root-Is-Purelib: true} and name only
 * {@code py*-none-any} tags, and no file may be a compiled extension; {@code <name>.data/purelib/}
 * and {@code platlib/} move to the root, the rest of {@code <name>.data/} (scripts, headers, data)
 * is not importable and is dropped. Stateless.
 */
final class Wheels {
    /** A WHEEL file is a few lines; more is not one. */
    private static final long MAX_WHEEL_FILE = 64 * 1024;
    private static final Pattern NATIVE = Pattern.compile(".*\\.(so(\\.\\d+)*|pyd|dylib|dll)");
    private static final String WHAT_TO_DO = "hzpy runs pure Python only (GraalPy cannot load CPython's compiled"
            + " extensions, and the sandbox allows no native code): use the package's pure-Python wheel (tagged"
            + " py3-none-any), or its sources";

    private Wheels() {
    }

    static boolean isWheel(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".whl");
    }

    /**
     * Refuses a wheel that is not pure Python: by its {@code *.dist-info/WHEEL} (the only file it
     * inflates), the tags of its file name when that has the standard form, and its files' names.
     *
     * @return the {@code *.dist-info} directory's name
     */
    static String checkPure(ZipArchive wheel) {
        String label = wheel.label();
        List<String> names = wheel.fileNames();
        String distInfo = distInfo(label, names);
        byte[] wheelFile;
        try {
            wheelFile = wheel.read(distInfo + "/WHEEL", MAX_WHEEL_FILE);
        } catch (PyResourceException e) {
            throw new PyDeployException("refused " + label + ": its " + distInfo + "/WHEEL is larger than "
                    + MAX_WHEEL_FILE + " bytes, so not a wheel's WHEEL file");
        }
        List<String> tags = new ArrayList<>();
        String purelib = null;
        for (String line : new String(wheelFile, StandardCharsets.UTF_8).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equalsIgnoreCase("Root-Is-Purelib")) {
                purelib = value;
            } else if (key.equalsIgnoreCase("Tag")) {
                tags.add(value);
            }
        }
        if (!"true".equalsIgnoreCase(purelib)) {
            throw new PyDeployException("refused " + label + ": its WHEEL says Root-Is-Purelib: " + purelib
                    + ", a platform wheel, which holds native code; " + WHAT_TO_DO);
        }
        if (tags.isEmpty()) {
            throw new PyDeployException("refused " + label + ": its WHEEL names no Tag, so nothing says it is pure"
                    + " Python; " + WHAT_TO_DO);
        }
        for (String tag : tags) {
            if (!pureTag(tag)) {
                throw new PyDeployException("refused " + label + ": it is built for a Python implementation or"
                        + " platform (Tag: " + tag + "), so it holds native code; " + WHAT_TO_DO);
            }
        }
        String fileTag = fileNameTag(label);
        if (fileTag != null && !pureTag(fileTag)) {
            throw new PyDeployException("refused " + label + ": its file name says it is built for a Python"
                    + " implementation or platform (" + fileTag + "), so it holds native code; " + WHAT_TO_DO);
        }
        List<String> natives = new ArrayList<>();
        for (String name : names) {
            if (NATIVE.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
                natives.add(name);
            }
        }
        if (!natives.isEmpty()) {
            throw new PyDeployException("refused " + label + ": it holds native code (" + PackagePaths.printable(natives.get(0))
                    + (natives.size() > 1 ? " and " + (natives.size() - 1) + " more" : "") + "); " + WHAT_TO_DO);
        }
        return distInfo;
    }

    /**
     * Where {@code name} goes once the wheel is installed: the same path, or the path under
     * {@code <name>.data/purelib/} or {@code platlib/} at the root; null when it is not installed
     * into the import path (the rest of {@code .data/}).
     */
    static String installedPath(String name) {
        int slash = name.indexOf('/');
        if (slash < 0 || !name.substring(0, slash).toLowerCase(Locale.ROOT).endsWith(PackagePaths.DATA)) {
            return name;
        }
        String rest = name.substring(slash + 1);
        for (String scheme : new String[] {"purelib/", "platlib/"}) {
            if (rest.startsWith(scheme) && rest.length() > scheme.length()) {
                return rest.substring(scheme.length());
            }
        }
        return null;
    }

    /** Whether any file of the wheel lies in {@code <name>.data/purelib|platlib}, which zipimport cannot see. */
    static String firstRelocated(List<String> names) {
        for (String name : names) {
            String installed = installedPath(name);
            if (installed != null && !installed.equals(name)) {
                return name;
            }
        }
        return null;
    }

    /** The one {@code *.dist-info} directory holding a WHEEL file. */
    private static String distInfo(String label, List<String> names) {
        List<String> found = new ArrayList<>();
        for (String name : names) {
            String[] parts = name.split("/", -1);
            if (parts.length == 2 && parts[1].equals("WHEEL")
                    && parts[0].toLowerCase(Locale.ROOT).endsWith(PackagePaths.DIST_INFO)) {
                found.add(parts[0]);
            }
        }
        if (found.isEmpty()) {
            throw new PyDeployException("refused " + label + ": not a wheel (no *.dist-info/WHEEL file); deploy a"
                    + " .zip to deploy an archive as it is");
        }
        if (found.size() > 1) {
            throw new PyDeployException("refused " + label + ": a wheel has one *.dist-info directory, this one has "
                    + found.size() + " (" + String.join(", ", found) + ")");
        }
        return found.get(0);
    }

    /** py3-none-any, py2.py3-none-any: only Python tags starting with "py", abi none, platform any. */
    private static boolean pureTag(String tag) {
        String[] parts = tag.trim().split("-", -1);
        if (parts.length != 3) {
            return false;
        }
        for (String python : parts[0].split("\\.", -1)) {
            if (!python.startsWith("py")) {
                return false;
            }
        }
        return parts[1].equals("none") && parts[2].equals("any");
    }

    /** The tags of a wheel's standard file name ({@code name-version[-build]-python-abi-platform.whl}), or null. */
    private static String fileNameTag(String fileName) {
        String stem = fileName.substring(0, fileName.length() - ".whl".length());
        String[] parts = stem.split("-", -1);
        if (parts.length != 5 && parts.length != 6) {
            return null; // renamed: the WHEEL file has the say
        }
        int n = parts.length;
        return parts[n - 3] + "-" + parts[n - 2] + "-" + parts[n - 1];
    }
}
