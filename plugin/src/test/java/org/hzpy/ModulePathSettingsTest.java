package org.hzpy;

import com.hazelcast.config.InvalidConfigurationException;
import org.hzpy.support.Archives;
import org.hzpy.support.DebianFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The setting hzpy.module-path: directories, zips and pure-Python wheels, checked when the member starts. */
class ModulePathSettingsTest {
    @TempDir
    Path tmp;

    private static HzpySettings withModulePath(String value) {
        Properties p = new Properties();
        p.setProperty("hzpy.module-path", value);
        return HzpySettings.fromProperties(p);
    }

    @Test
    void givenADirectoryAZipAndAPureWheel_whenTheMemberStarts_thenAllThreeAreOnTheModulePath() throws IOException {
        Path zip = Archives.zip(tmp.resolve("app.zip"), Map.of("tools.py", "X = 1\n"));
        Path wheel = DebianFiles.wheel("wheel", "python3-wheel-whl");

        HzpySettings settings = withModulePath(tmp + ", " + zip + "," + wheel);

        assertThat(settings.modulePath()).containsExactly(tmp, zip, wheel);
    }

    @Test
    void givenAWheelWithNativeCode_whenTheMemberStarts_thenItStopsWithOneMessageSayingSo() throws IOException {
        Path wheel = Archives.wheel(tmp, "fast", "py3-none-any", true,
                Map.of("fast/__init__.py", "", "fast/_speedups.cpython-311-x86_64-linux-gnu.so", "\u007fELF"));

        assertThatThrownBy(() -> withModulePath(wheel.toString()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("hzpy.module-path = '" + wheel + "' is invalid")
                .hasMessageContaining("native code (fast/_speedups.cpython-311-x86_64-linux-gnu.so)")
                .hasMessageContaining("allowed: comma-separated existing directories, .zip files and pure-Python wheels");
    }

    @Test
    void givenAPlatformWheel_whenTheMemberStarts_thenItStops() throws IOException {
        Path wheel = Archives.wheel(tmp, "plat", "cp311-cp311-manylinux_2_17_x86_64", false,
                Map.of("plat/__init__.py", ""));

        assertThatThrownBy(() -> withModulePath(wheel.toString()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("native code");
    }

    @Test
    void givenAWheelWhoseModulesPipWouldMove_whenTheMemberStarts_thenItStops_sayingToDeployOrUnpackIt() throws IOException {
        Path wheel = Archives.wheel(tmp, "split", "py3-none-any", true,
                Map.of("split-1.0.data/purelib/extra.py", "X = 1\n"));

        assertThatThrownBy(() -> withModulePath(wheel.toString()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("split-1.0.data/purelib/extra.py")
                .hasMessageContaining("deploy the wheel");
    }

    @Test
    void givenAFileThatIsNoArchive_whenTheMemberStarts_thenItStopsNamingIt() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "x");
        Path fakeZip = Files.writeString(tmp.resolve("fake.zip"), "x");

        assertThatThrownBy(() -> withModulePath(text.toString()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("not a directory, .zip or .whl: " + text);
        assertThatThrownBy(() -> withModulePath(fakeZip.toString()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("fake.zip: not a readable zip archive");
    }
}
