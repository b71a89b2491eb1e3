package org.hzpy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Python files next to the benchmark classes. */
final class Resources {
    /** The Python functions both GraalPy and CPython run (P3, P4). */
    static final String FUNCTIONS = "bench_functions.py";
    /** The CPython side of P4. */
    static final String CPYTHON_RUNNER = "cpython_runner.py";

    private Resources() {
    }

    static String text(String name) {
        try (InputStream in = Resources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource org/hzpy/bench/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a resource into {@code dir} so an external program can read it. */
    static Path copyTo(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text(name), StandardCharsets.UTF_8);
        return file;
    }
}
