package org.hzpy.deploy;

import org.hzpy.PyDeployException;
import org.hzpy.PyResourceException;
import org.hzpy.support.Archives;
import org.hzpy.support.DebianFiles;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What a user deploys, turned into validated files without a member: sources, a .py file, a
 * package directory, a zip and a wheel (Debian's and hostile ones built here), each rule once.
 */
class PackagesTest {
    private static final long LIMIT = 64L * 1024 * 1024;
    private static final String OK = "def f():\n    return 1\n";

    @TempDir
    Path tmp;

    private static Map<String, byte[]> files(String... pathsAndTexts) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndTexts.length; i += 2) {
            m.put(pathsAndTexts[i], pathsAndTexts[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    private static String text(PackageFiles p, String path) {
        return new String(p.files().get(path), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ sources and the files' contract

    @Test
    void givenSourcesOfAPackageAndAModule_whenRead_thenTheyLieAsOnTheModulePath_withBothTopLevelNames() {
        // When sources of a package and a single module are read
        PackageFiles p = Packages.fromSources(Map.of("pricing/__init__.py", "from .rates import EUR\n",
                "pricing/rates.py", "EUR = '€'\n", "tools.py", OK), LIMIT);

        // Then the paths are as given, sorted, the text UTF-8, and both names importable
        assertThat(p.files()).containsOnlyKeys("pricing/__init__.py", "pricing/rates.py", "tools.py");
        assertThat(p.files().firstKey()).isEqualTo("pricing/__init__.py");
        assertThat(p.files().get("pricing/rates.py")).isEqualTo("EUR = '€'\n".getBytes(StandardCharsets.UTF_8));
        assertThat(p.topLevelNames()).containsExactlyInAnyOrder("pricing", "tools");
        assertThat(p.totalBytes()).isEqualTo(p.files().values().stream().mapToLong(b -> b.length).sum())
                .isEqualTo(23 + 12 + OK.length());
    }

    @Test
    void givenPackageFiles_whenTheCallerChangesItsArraysOrTheFilesHandedOut_thenTheFilesStayAsBuilt() {
        // Given files built from an array the caller keeps
        byte[] source = OK.getBytes(StandardCharsets.UTF_8);
        PackageFiles p = PackageFiles.of(Map.of("tools.py", source), LIMIT);
        String digest = p.digest();

        // When the caller changes its array, and the array and map it was handed
        source[0] = 'X';
        SortedMap<String, byte[]> handedOut = p.files();
        handedOut.get("tools.py")[0] = 'Y';

        // Then nothing changed inside, and the map is read-only
        assertThat(text(p, "tools.py")).isEqualTo(OK);
        assertThat(p.digest()).isEqualTo(digest);
        assertThatThrownBy(() -> handedOut.put("x.py", new byte[0])).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void givenTheSameFilesInAnotherOrder_whenDigested_thenTheDigestIsTheSame_andOneChangedByteChangesIt() {
        Map<String, byte[]> forward = files("a.py", "A = 1\n", "b/__init__.py", "B = 2\n");
        Map<String, byte[]> backward = new LinkedHashMap<>();
        backward.put("b/__init__.py", forward.get("b/__init__.py"));
        backward.put("a.py", forward.get("a.py"));

        String digest = PackageFiles.of(forward, LIMIT).digest();

        assertThat(digest).matches("[0-9a-f]{64}");
        assertThat(PackageFiles.of(backward, LIMIT).digest()).isEqualTo(digest);
        assertThat(PackageFiles.of(files("a.py", "A = 1\n", "b/__init__.py", "B = 3\n"), LIMIT).digest()).isNotEqualTo(digest);
        assertThat(PackageFiles.of(files("c.py", "A = 1\n", "b/__init__.py", "B = 2\n"), LIMIT).digest()).isNotEqualTo(digest);
    }

    // ------------------------------------------------------------------ paths

    static Stream<Arguments> unsafePaths() {
        return Stream.of(
                Arguments.of(Named.of("zip-slip", "../x.txt"), "holds '..'"),
                Arguments.of(Named.of("'..' inside", "a/../../x.txt"), "holds '..'"),
                Arguments.of(Named.of("'.'", "./x.txt"), "holds '.'"),
                Arguments.of(Named.of("absolute", "/etc/x.txt"), "is absolute"),
                Arguments.of(Named.of("empty segment", "a//x.txt"), "empty name"),
                Arguments.of(Named.of("trailing slash", "a/"), "empty name"),
                Arguments.of(Named.of("backslash", "a\\..\\x.txt"), "backslash"),
                Arguments.of(Named.of("drive letter", "C:/x.txt"), "drive letter"),
                Arguments.of(Named.of("NUL", "x\u0000.txt"), "control character"),
                Arguments.of(Named.of("empty", ""), "is empty"),
                Arguments.of(Named.of("401 characters", "a/".repeat(199) + "abc.py"), "longer than 400 characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsafePaths")
    void givenAnUnsafePath_whenValidated_thenTheDeploymentIsRefused_namingThePathAndWhy(String path, String why) {
        // Given an importable module and one file at an unsafe path
        Map<String, byte[]> files = files("ok.py", OK, path, OK);

        // When validated  Then refused, naming the path (printable) and why
        PyDeployException e = catchThrowableOfType(PyDeployException.class, () -> PackageFiles.of(files, LIMIT));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains(why).contains(PackagePaths.printable(path).substring(0, Math.min(path.length(), 40)));
    }

    @Test
    void givenPythonCodeUnderADirectoryThatIsNoIdentifier_whenValidated_thenRefused_asItCouldNeverBeImported() {
        assertThatThrownBy(() -> Packages.fromSources(Map.of("my-pkg/__init__.py", OK), LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("'my-pkg/__init__.py'")
                .hasMessageContaining("not a Python identifier")
                .hasMessageContaining("my_pkg");
    }

    @Test
    void givenDataFilesWithAnyNames_whenValidated_thenTheyAreKept() {
        PackageFiles p = PackageFiles.of(files("pricing/__init__.py", OK, "pricing/data files/rates (eu).csv", "x",
                "pricing/__main-runner__.py", OK), LIMIT);

        assertThat(p.files()).containsKeys("pricing/data files/rates (eu).csv", "pricing/__main-runner__.py");
        assertThat(p.topLevelNames()).containsExactly("pricing");
    }

    @Test
    void givenCompiledAndPthFiles_whenValidated_thenTheyAreDroppedSilently() {
        PackageFiles p = PackageFiles.of(files("tools.py", OK, "__pycache__/tools.cpython-311.pyc", "x",
                "pricing/__pycache__/a.pyc", "x", "pricing/old.pyc", "x", "pricing/__init__.py", OK,
                "evil.pth", "import os"), LIMIT);

        assertThat(p.files()).containsOnlyKeys("tools.py", "pricing/__init__.py");
        assertThat(p.totalBytes()).isEqualTo(2L * OK.length());
    }

    @Test
    void givenAPathThatIsBothAFileAndADirectory_whenValidated_thenRefused() {
        assertThatThrownBy(() -> PackageFiles.of(files("pricing", "x", "pricing/__init__.py", OK), LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("'pricing' is both a file and a directory");
    }

    @Test
    void givenMoreThan10000Files_whenValidated_thenRefused() {
        Map<String, byte[]> many = new HashMap<>();
        for (int i = 0; i <= 10_000; i++) {
            many.put("pkg/m" + i + ".py", new byte[0]);
        }

        assertThatThrownBy(() -> PackageFiles.of(many, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("more than 10000 files");
    }

    @Test
    void givenFilesWithNothingImportable_whenValidated_thenRefused() {
        assertThatThrownBy(() -> PackageFiles.of(files("README.md", "# hi", "data/x.csv", "1", "my-script.py", OK), LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("provides nothing importable")
                .hasMessageContaining("README.md");
    }

    @Test
    void givenAPackageZippedFromInside_whenValidated_thenItsTopLevelInitIsRefused_sayingToDeployTheDirectory() {
        assertThatThrownBy(() -> Packages.fromSources(Map.of("__init__.py", OK, "rates.py", OK), LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("'__init__.py'")
                .hasMessageContaining("deploy a package as its directory");
    }

    @Test
    void givenATopLevelMainModule_whenValidated_thenRefused_asItWouldShadowTheMainModule() {
        assertThatThrownBy(() -> Packages.fromSources(Map.of("__main__.py", OK, "tools.py", OK), LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("'__main__.py'")
                .hasMessageContaining("a name of Python's own");
    }

    @Test
    void givenNoFiles_whenValidated_thenRefusedAsAnEmptyDeployment() {
        assertThatThrownBy(() -> PackageFiles.of(Map.of(), LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("empty deployment");
    }

    @Test
    void givenMoreBytesThanTheLimit_whenValidated_thenAResourceErrorNamesTheSizeTheLimitAndTheSetting() {
        assertThatThrownBy(() -> PackageFiles.of(Map.of("big.py", new byte[1001]), 1000))
                .isInstanceOf(PyResourceException.class)
                .hasMessageContaining("1001 bytes")
                .hasMessageContaining("limit of 1000 bytes")
                .hasMessageContaining("hzpy.deploy-max-bytes");
    }

    @Test
    void givenNullsInsteadOfArgumentsOrFiles_whenValidated_thenArgumentsFailAsArguments_andContentAsContent() {
        Map<String, byte[]> nullKey = new HashMap<>();
        nullKey.put(null, new byte[0]);
        Map<String, byte[]> nullValue = new HashMap<>();
        nullValue.put("x.py", null);

        assertThatThrownBy(() -> PackageFiles.of(null, LIMIT)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> PackageFiles.of(Map.of("x.py", new byte[0]), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Packages.read(null, LIMIT)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> PackageFiles.of(nullKey, LIMIT)).isInstanceOf(PyDeployException.class)
                .hasMessageContaining("no path");
        assertThatThrownBy(() -> PackageFiles.of(nullValue, LIMIT)).isInstanceOf(PyDeployException.class)
                .hasMessageContaining("'x.py' has no content");
    }

    @Test
    void givenASourceWithALoneSurrogate_whenRead_thenRefused_asItHasNoUtf8Form() {
        assertThatThrownBy(() -> Packages.fromSources(Map.of("tools.py", "X = '\ud800'\n"), LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("'tools.py' is not valid Unicode");
    }

    // ------------------------------------------------------------------ a .py file, a directory

    @Test
    void givenDebiansSixModule_whenRead_thenItIsOneFileNamedByItsFileName() throws IOException {
        Path six = DebianFiles.distPackage("six.py", "python3-six");

        PackageFiles p = Packages.read(six, LIMIT);

        assertThat(p.files()).containsOnlyKeys("six.py");
        assertThat(p.files().get("six.py")).isEqualTo(Files.readAllBytes(six));
        assertThat(p.topLevelNames()).containsExactly("six");
    }

    @Test
    void givenDebiansTomlPackageDirectory_whenRead_thenItsFilesLieUnderItsName_withoutCompiledFiles() throws IOException {
        Path toml = DebianFiles.distPackage("toml", "python3-toml");

        PackageFiles p = Packages.read(toml, LIMIT);

        assertThat(p.files()).containsKeys("toml/__init__.py", "toml/decoder.py", "toml/encoder.py");
        assertThat(p.files().keySet()).allMatch(path -> path.startsWith("toml/") && !path.contains("__pycache__"));
        assertThat(p.files().get("toml/decoder.py")).isEqualTo(Files.readAllBytes(toml.resolve("decoder.py")));
        assertThat(p.topLevelNames()).containsExactly("toml");
    }

    @Test
    void givenADirectoryWithALinkThatLeadsOutside_whenRead_thenRefused() throws IOException {
        Path pkg = Files.createDirectories(tmp.resolve("pkg"));
        Files.writeString(pkg.resolve("__init__.py"), OK);
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "s3cret");
        Files.createSymbolicLink(pkg.resolve("leak.txt"), secret);

        assertThatThrownBy(() -> Packages.read(pkg, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("'pkg/leak.txt' is a symbolic link that leads outside the directory");
    }

    @Test
    void givenADirectoryWithALinkThatLoops_whenRead_thenRefused_withoutFollowingIt() throws IOException {
        Path pkg = Files.createDirectories(tmp.resolve("pkg"));
        Files.writeString(pkg.resolve("__init__.py"), OK);
        Files.createDirectories(pkg.resolve("sub"));
        Files.createSymbolicLink(pkg.resolve("sub/again"), pkg);

        assertThatThrownBy(() -> Packages.read(pkg, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("'pkg/sub/again' is a symbolic link that loops");
    }

    @Test
    void givenADirectoryWithALinkToAFileInside_whenRead_thenTheLinkIsFollowed() throws IOException {
        Path pkg = Files.createDirectories(tmp.resolve("pkg"));
        Files.writeString(pkg.resolve("__init__.py"), OK);
        Files.createSymbolicLink(pkg.resolve("alias.py"), pkg.resolve("__init__.py"));

        assertThat(text(Packages.read(pkg, LIMIT), "pkg/alias.py")).isEqualTo(OK);
    }

    @Test
    void givenAPathThatIsNoPackage_whenRead_thenRefused_sayingWhatCanBeDeployed() throws IOException {
        Path txt = Files.writeString(tmp.resolve("notes.txt"), "x");

        assertThatThrownBy(() -> Packages.read(txt, LIMIT)).isInstanceOf(PyDeployException.class)
                .hasMessageContaining("deploy a .py file, a package directory, a .zip or a pure-Python wheel");
        assertThatThrownBy(() -> Packages.read(tmp.resolve("absent.py"), LIMIT)).isInstanceOf(PyDeployException.class)
                .hasMessageContaining("no such file or directory");
    }

    // ------------------------------------------------------------------ zips

    @Test
    void givenAZip_whenRead_thenItsFilesLieAsInTheZip() throws IOException {
        Path zip = Archives.zip(tmp.resolve("app.zip"), Map.of("pricing/__init__.py", OK, "tools.py", OK,
                "pricing/", ""));

        PackageFiles p = Packages.read(zip, LIMIT);

        assertThat(p.files()).containsOnlyKeys("pricing/__init__.py", "tools.py");
        assertThat(p.topLevelNames()).containsExactlyInAnyOrder("pricing", "tools");
    }

    @Test
    void givenAZipSlipEntry_whenRead_thenRefused() throws IOException {
        Path zip = Archives.zip(tmp.resolve("slip.zip"), Map.of("ok.py", OK, "../evil.py", OK));

        assertThatThrownBy(() -> Packages.read(zip, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("refused slip.zip: the path '../evil.py' holds '..'");
    }

    @Test
    void givenAZipWithAnAbsolutePath_whenRead_thenRefused() throws IOException {
        Path zip = Archives.zip(tmp.resolve("abs.zip"), Map.of("ok.py", OK, "/tmp/evil.py", OK));

        assertThatThrownBy(() -> Packages.read(zip, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("'/tmp/evil.py' is absolute");
    }

    @Test
    void givenAZipWithAnEntryTwice_whenRead_thenRefused() throws IOException {
        Path zip = Archives.zipWithDuplicate(tmp.resolve("twice.zip"), "tools.py", "other.py");

        assertThatThrownBy(() -> Packages.read(zip, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("'tools.py' appears twice");
    }

    @Test
    void givenAZipBomb_whenRead_thenInflatingStopsAtTheLimit() throws IOException {
        // Given 200 MB of zeros that deflate to a few hundred KB
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("bomb/__init__.py", new byte[0]);
        byte[] zeros = new byte[50_000_000];
        for (int i = 0; i < 4; i++) {
            entries.put("bomb/zeros" + i + ".bin", zeros);
        }
        Path zip = tmp.resolve("bomb.zip");
        Files.write(zip, Archives.zipBytes(entries));
        assertThat(Files.size(zip)).isLessThan(1_000_000);

        // When read with a 10 MB limit  Then refused once 10 MB were inflated, not 200
        PyResourceException e = catchThrowableOfType(PyResourceException.class, () -> Packages.read(zip, 10_000_000));
        assertThat(e.getMessage()).contains("inflate to more than 10000000 bytes").contains("hzpy.deploy-max-bytes");
        long stoppedAt = Long.parseLong(e.getMessage().replaceAll(".*stopped at (\\d+) bytes.*", "$1"));
        assertThat(stoppedAt).isBetween(10_000_001L, 10_000_000L + 64 * 1024);
    }

    @Test
    void givenAFileNamedZipThatIsNone_whenRead_thenRefused_asNoReadableZip() throws IOException {
        Path zip = Files.writeString(tmp.resolve("fake.zip"), "not a zip");

        assertThatThrownBy(() -> Packages.read(zip, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("refused fake.zip: not a readable zip archive");
    }

    // ------------------------------------------------------------------ wheels

    @Test
    void givenDebiansPipWheel_whenRead_thenItsPackageAndDistInfoAreKept() {
        Path wheel = DebianFiles.wheel("pip", "python3-pip-whl");
        String distInfo = "pip-" + DebianFiles.versionOf(wheel) + ".dist-info/";

        PackageFiles p = Packages.read(wheel, LIMIT);

        assertThat(p.topLevelNames()).containsExactly("pip");
        assertThat(p.files()).containsKeys("pip/__init__.py", distInfo + "METADATA", distInfo + "WHEEL",
                distInfo + "RECORD");
        assertThat(text(p, distInfo + "METADATA")).contains("Version: " + DebianFiles.versionOf(wheel));
    }

    @Test
    void givenDebiansSetuptoolsWheel_whenRead_thenItsThreeTopLevelNamesAreFound_andItsPthFileIsDropped() {
        Path wheel = DebianFiles.wheel("setuptools", "python3-setuptools-whl");

        PackageFiles p = Packages.read(wheel, LIMIT);

        assertThat(p.topLevelNames()).containsExactlyInAnyOrder("setuptools", "pkg_resources", "_distutils_hack");
        assertThat(p.files().keySet()).noneMatch(path -> path.endsWith(".pth"));
        assertThat(p.files()).containsKeys("setuptools-" + DebianFiles.versionOf(wheel) + ".dist-info/WHEEL");
    }

    @Test
    void givenDebiansWheelWheel_whenRead_thenItProvidesWheel() {
        Path wheel = DebianFiles.wheel("wheel", "python3-wheel-whl");

        PackageFiles p = Packages.read(wheel, LIMIT);

        assertThat(p.topLevelNames()).containsExactly("wheel");
        assertThat(p.files()).containsKeys("wheel/__init__.py", "wheel-" + DebianFiles.versionOf(wheel) + ".dist-info/METADATA");
    }

    @Test
    void givenAWheelWithACompiledExtension_whenRead_thenRefused_sayingNativeCodeAndWhatToDo() throws IOException {
        Path wheel = Archives.wheel(tmp, "fast", "py3-none-any", true,
                Map.of("fast/__init__.py", OK, "fast/_speedups.cpython-311-x86_64-linux-gnu.so", "\u007fELF"));

        assertThatThrownBy(() -> Packages.read(wheel, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("native code (fast/_speedups.cpython-311-x86_64-linux-gnu.so)")
                .hasMessageContaining("py3-none-any");
    }

    @Test
    void givenAPlatformTaggedWheel_whenRead_thenRefused_sayingNativeCode() throws IOException {
        Path wheel = Archives.wheel(tmp, "plat", "cp311-cp311-manylinux_2_17_x86_64", true,
                Map.of("plat/__init__.py", OK));

        assertThatThrownBy(() -> Packages.read(wheel, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("(Tag: cp311-cp311-manylinux_2_17_x86_64), so it holds native code")
                .hasMessageContaining("pure-Python wheel");
    }

    @Test
    void givenAPureTaggedWheelThatIsNoPurelib_whenRead_thenRefused() throws IOException {
        Path wheel = Archives.wheel(tmp, "odd", "py3-none-any", false, Map.of("odd/__init__.py", OK));

        assertThatThrownBy(() -> Packages.read(wheel, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("Root-Is-Purelib: false")
                .hasMessageContaining("native code");
    }

    @Test
    void givenAWheelWithItsOwnTagInTheFileName_whenItSaysAPlatform_thenRefused() throws IOException {
        Path pure = Archives.wheel(tmp, "named", "py3-none-any", true, Map.of("named/__init__.py", OK));
        Path renamed = Files.move(pure, tmp.resolve("named-1.0-cp312-cp312-win_amd64.whl"));

        assertThatThrownBy(() -> Packages.read(renamed, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("its file name says")
                .hasMessageContaining("cp312-cp312-win_amd64");
    }

    @Test
    void givenAWheelWithDataParts_whenRead_thenPurelibMovesToTheRoot_andScriptsHeadersAndDataAreDropped() throws IOException {
        Path wheel = Archives.wheel(tmp, "split", "py3-none-any", true, Map.of(
                "split/__init__.py", OK,
                "split-1.0.data/purelib/extra/__init__.py", OK,
                "split-1.0.data/scripts/split-cli", "#!/bin/sh",
                "split-1.0.data/headers/split.h", "int x;",
                "split-1.0.data/data/share/split.txt", "x"));

        PackageFiles p = Packages.read(wheel, LIMIT);

        assertThat(p.files()).containsOnlyKeys("split/__init__.py", "extra/__init__.py",
                "split-1.0.dist-info/METADATA", "split-1.0.dist-info/WHEEL", "split-1.0.dist-info/RECORD");
        assertThat(p.topLevelNames()).containsExactlyInAnyOrder("split", "extra");
    }

    @Test
    void givenAZipNamedWhlWithoutDistInfo_whenRead_thenRefused_asNoWheel() throws IOException {
        Path whl = Archives.zip(tmp.resolve("plain-1.0-py3-none-any.whl"), Map.of("plain.py", OK));

        assertThatThrownBy(() -> Packages.read(whl, LIMIT))
                .isInstanceOf(PyDeployException.class)
                .hasMessageContaining("not a wheel (no *.dist-info/WHEEL file)");
    }

    // ------------------------------------------------------------------ writeTo

    @Test
    void givenPackageFiles_whenWrittenToAnEmptyDirectory_thenReadingItBackGivesTheSameFiles() throws IOException {
        PackageFiles p = Packages.read(DebianFiles.distPackage("toml", "python3-toml"), LIMIT);
        Path out = Files.createDirectories(tmp.resolve("out"));

        p.writeTo(out);

        PackageFiles back = Packages.read(out.resolve("toml"), LIMIT);
        assertThat(back.digest()).isEqualTo(p.digest());
        try (Stream<Path> top = Files.list(out)) {
            assertThat(top).containsExactly(out.resolve("toml"));
        }
    }

    @Test
    void givenADirectoryThatIsNotEmpty_whenWrittenTo_thenRefused_andNothingIsWritten() throws IOException {
        PackageFiles p = Packages.fromSources(Map.of("tools.py", OK), LIMIT);
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("tools.py"), "mine");

        assertThatThrownBy(() -> p.writeTo(out)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an empty directory");
        assertThat(Files.readString(out.resolve("tools.py"))).isEqualTo("mine");
    }

    @Test
    void givenSourcesInNestedPackages_whenWritten_thenSubDirectoriesAreCreated() throws IOException {
        Map<String, String> sources = new TreeMap<>(Map.of("a/__init__.py", OK, "a/b/__init__.py", OK, "a/b/c.py", OK));
        Path out = Files.createDirectories(tmp.resolve("out"));

        Packages.fromSources(sources, LIMIT).writeTo(out);

        assertThat(Files.readString(out.resolve("a/b/c.py"))).isEqualTo(OK);
    }
}
