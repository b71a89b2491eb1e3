package org.hzpy.runtime;

import org.hzpy.Py;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.Await;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** Python's print and logging in the member's log (java.util.logging here), captured under hzpy.python. */
@ExtendWith(Invariants.class)
class PythonLogTest {
    private final Py py = TestMembers.py(TestMembers.isolated());
    private final Logger python = Logger.getLogger("hzpy.python");
    /** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    private final Logger orders = Logger.getLogger("hzpy.python.orders");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        capture.setLevel(Level.ALL);
        python.addHandler(capture);
    }

    @AfterEach
    void release() {
        python.removeHandler(capture);
    }

    private List<LogRecord> from(String logger) {
        return records.stream().filter(r -> r.getLoggerName().equals(logger)).toList();
    }

    @Test
    void loggingRecords_reachTheMembersLog_underTheirLoggersName_atTheMappedLevel() {
        orders.setLevel(Level.FINE); // lets Python's DEBUG through
        try {
            py.call("logmod", "log", "orders", 30, "low stock: %d left", 3);
            py.call("logmod", "log", "orders", 10, "checked %s", "shelf 4");
            py.call("logmod", "log", "orders.eu", 20, "shipped");
            py.call("logmod", "log_error_with_traceback", "orders");
            Await.until(Duration.ofSeconds(30), "the records logged", () -> from("hzpy.python.orders").size() == 3);

            assertThat(from("hzpy.python.orders")).extracting(LogRecord::getLevel, LogRecord::getMessage).startsWith(
                    org.assertj.core.groups.Tuple.tuple(Level.WARNING, "low stock: 3 left"),
                    org.assertj.core.groups.Tuple.tuple(Level.FINE, "checked shelf 4"));
            assertThat(from("hzpy.python.orders.eu")).extracting(LogRecord::getLevel, LogRecord::getMessage)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(Level.INFO, "shipped"));
            LogRecord error = from("hzpy.python.orders").get(2);
            assertThat(error.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(error.getMessage()).startsWith("lookup failed").contains("Traceback", "KeyError: 'missing'");
        } finally {
            orders.setLevel(null);
        }
    }

    @Test
    void print_reachesTheMembersLog_asStdout() {
        py.call("logmod", "say", "hello from Python");

        Await.until(Duration.ofSeconds(30), "the line logged", () -> !from("hzpy.python.stdout").isEmpty());
        assertThat(from("hzpy.python.stdout")).extracting(LogRecord::getLevel, LogRecord::getMessage)
                .contains(org.assertj.core.groups.Tuple.tuple(Level.INFO, "hello from Python"));
    }

    @Test
    void aPrintFlood_isCappedAndEveryDroppedLineIsCounted() throws InterruptedException {
        PythonRuntime runtime = HzpyPlugin.runtimeOf(TestMembers.isolated());
        long droppedBefore = runtime.pythonOutputDropped();
        try {
            // When one call prints 20,000 lines
            long t0 = System.nanoTime();
            py.call("logmod", "flood", 20_000, "flood-line");
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L + 1; // the seconds the flood touched, at most

            // Then at most the member's rate went to the log, and every other line was counted as dropped
            java.util.function.LongSupplier floodLogged = () -> from("hzpy.python.stdout").stream()
                    .filter(r -> r.getMessage().startsWith("flood-line ")).count();
            Await.until(Duration.ofSeconds(30), "every line logged or dropped",
                    () -> floodLogged.getAsLong() + runtime.pythonOutputDropped() - droppedBefore >= 20_000);
            long logged = floodLogged.getAsLong();
            long dropped = runtime.pythonOutputDropped() - droppedBefore;
            assertThat(logged).as("lines logged in %d s", seconds).isLessThanOrEqualTo((seconds + 1) * PythonLog.LINES_PER_SECOND);
            assertThat(dropped).as("lines dropped").isPositive();
            assertThat(logged + dropped).as("every line logged or counted as dropped").isEqualTo(20_000);
        } finally {
            Thread.sleep(1_100); // the member's log takes lines again in the next second: later tests' prints are not dropped
        }
    }

    @Test
    void aLogHandlerThatBlocks_neverHoldsPython_andWhatItCannotTakeIsCountedAsDropped() throws Exception {
        // Given a handler of the member's log that blocks until released
        PythonRuntime runtime = HzpyPlugin.runtimeOf(TestMembers.isolated());
        Thread.sleep(1_100); // a new second of the member's rate: the lines below are within it
        long droppedBefore = runtime.pythonOutputDropped();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        Logger stdout = Logger.getLogger("hzpy.python.stdout");
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler slow = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage().startsWith("slow-line ")) {
                    blocked.countDown();
                    try {
                        release.await(2, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    lines.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        stdout.addHandler(slow);
        try {
            // When Python prints 600 lines (within the member's rate, more than the log's queue holds)
            CompletableFuture<Object> printing = py.callAsync(org.hzpy.PyCall.of("logmod", "flood", 600, "slow-line")
                    .timeout(Duration.ofSeconds(30))).toCompletableFuture();

            // Then the call returns while the handler still blocks the member's log
            assertThat(printing.get(60, TimeUnit.SECONDS)).isEqualTo(600L);
            assertThat(blocked.await(30, TimeUnit.SECONDS)).as("the handler was reached").isTrue();
            assertThat(lines).as("nothing logged while blocked").isEmpty();
            release.countDown();
            // and every line is logged or counted as dropped, some of them dropped
            Await.until(Duration.ofSeconds(30), "every line logged or dropped",
                    () -> lines.size() + runtime.pythonOutputDropped() - droppedBefore >= 600);
            assertThat(lines.size() + runtime.pythonOutputDropped() - droppedBefore).isEqualTo(600);
            assertThat(runtime.pythonOutputDropped() - droppedBefore).as("dropped: the queue was full").isPositive();
        } finally {
            release.countDown();
            stdout.removeHandler(slow);
        }
    }

    @Test
    void loggersOfManyNames_areBounded_andTheRestLogUnderOtherWithTheirName() {
        // When Python logs under more distinct names than the member keeps loggers for
        String prefix = "dyn" + System.nanoTime();
        int names = PythonLog.MAX_LOGGERS + 50;
        py.call("logmod", "log_each", prefix, names, "dynamic");

        // Then at most that many loggers exist for them, and the records of the rest carry their name
        Await.until(Duration.ofSeconds(30), "the records logged", () -> records.stream()
                .filter(r -> r.getMessage().endsWith("dynamic")).count() == names);
        long loggers = java.util.Collections.list(java.util.logging.LogManager.getLogManager().getLoggerNames()).stream()
                .filter(n -> n.startsWith("hzpy.python." + prefix + ".")).count();
        assertThat(loggers).isLessThanOrEqualTo(PythonLog.MAX_LOGGERS);
        assertThat(from("hzpy.python.other")).extracting(LogRecord::getMessage)
                .contains("[" + prefix + "." + (names - 1) + "] dynamic");
    }
}
