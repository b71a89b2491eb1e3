package org.hzpy.runtime;

import org.hzpy.Py;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * json.loads answers as CPython's does, results and errors alike, with each decoder
 * ({@code hzpy.json-decoder}), on a corpus whose CPython answers are checked in
 * ({@code pymodules/jsoncorpus_expected.py}, written by {@code src/test/json-corpus/generate.py}):
 * positions after characters outside the BMP, 400 levels of nesting, ints past int_max_str_digits,
 * -0.0, bool vs int.
 */
@ExtendWith(Invariants.class)
class JsonCorpusTest {
    /** A web server's thread: calls run on their caller's thread, and json must not need more stack. */
    private static final long ONE_MB = 1L << 20;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"native", "python"})
    void eachDecoder_answersTheCorpusAsCPython_fromAThreadWithA1MbStack(String decoder) throws Exception {
        // Given a member whose json decodes with this decoder
        Py py = TestMembers.py(TestMembers.jsonDecoding(decoder));
        assertThat(py.stats().jsonDecoders()).containsExactly(decoder);

        // When json.loads decodes every document of the corpus, called from a thread with a 1 MB stack
        CompletableFuture<Object> mismatches = new CompletableFuture<>();
        Thread caller = new Thread(null, () -> {
            try {
                mismatches.complete(py.call("jsoncorpus", "mismatches"));
            } catch (Throwable t) {
                mismatches.completeExceptionally(t);
            }
        }, "json-corpus-1mb", ONE_MB);
        caller.start();

        // Then every answer is CPython's, and the corpus was there to be decoded
        assertThat((List<?>) mismatches.get(2, TimeUnit.MINUTES)).isEmpty();
        assertThat((Long) py.call("jsoncorpus", "size")).isGreaterThan(80L);
    }
}
