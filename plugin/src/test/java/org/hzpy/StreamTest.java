package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Member-local streams ({@code Py.stream}) on a member with ONE context (ISOLATED): the generator's
 * position and its finally are read with ordinary calls, which run in that same context.
 */
@ExtendWith(Invariants.class)
class StreamTest {
    private final Py py = TestMembers.py(TestMembers.streams());
    private final int configuredMax = py.settings().maxConcurrent();

    @AfterEach
    void restoreLimit() {
        py.semaphore().setMaxConcurrent(configuredMax);
    }

    private long positionOf(String tag) {
        return ((Number) py.call("streammod", "position_of", tag)).longValue();
    }

    private long finalsOf(String tag) {
        return ((Number) py.call("streammod", "finals_of", tag)).longValue();
    }

    @Test
    void millionItems_areProducedOnlyAsTheyAreConsumed() {
        // Given a stream over a generator of 1,000,000 ints
        int batch = PyStream.DEFAULT_BATCH_SIZE;
        try (PyStream stream = py.stream(PyCall.of("streammod", "count", "million", 1_000_000))) {
            // Then before the first item the generator has not run at all
            assertThat(positionOf("million")).isZero();

            // When the consumer reads, the generator is never more than one batch ahead of it
            long consumed = 0;
            long sum = 0;
            while (stream.hasNext()) {
                sum += ((Number) stream.next()).longValue();
                consumed++;
                if (consumed == 1 || consumed == 1_000 || consumed == 500_001 || consumed == 999_999) {
                    long position = positionOf("million"); // a call between pulls: the same context serves it
                    assertThat(position).isBetween(consumed, consumed + batch - 1);
                }
            }

            // And every item came, in order
            assertThat(consumed).isEqualTo(1_000_000);
            assertThat(sum).isEqualTo(LongStream.range(0, 1_000_000).sum());
        }
        assertThat(py.stats().streamsOpen()).isZero();
    }

    @Test
    void closedEarly_runsTheGeneratorsFinallyExactlyOnce() {
        // Given an endless generator read in part
        PyStream stream = py.stream(PyCall.of("streammod", "endless", "closed-early"), 8);
        for (int i = 0; i < 20; i++) {
            assertThat(stream.next()).isEqualTo((long) i);
        }
        assertThat(finalsOf("closed-early")).isZero();

        // When it is closed, twice
        stream.close();
        stream.close();

        // Then its finally ran once, and its permit is back
        assertThat(finalsOf("closed-early")).isEqualTo(1);
        assertThat(py.stats().streamsOpen()).isZero();
        assertThat(py.semaphore().current()).isZero();
        assertThat(stream.hasNext()).isFalse();
    }

    @Test
    void errorAfterTenItems_deliversThemThenThePythonErrorWithItsTraceback() {
        // Given a generator that raises after 10 items
        PyStream stream = py.stream(PyCall.of("streammod", "fail_after", 10));

        // When it is read
        List<Object> items = new ArrayList<>();
        PythonException error = catchThrowableOfType(PythonException.class, () -> {
            while (stream.hasNext()) {
                items.add(stream.next());
            }
        });

        // Then the 10 items came first, then the typed error with the generator's traceback, and the stream ended
        assertThat(items).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(error).isNotNull();
        assertThat(error.pythonType()).isEqualTo("ValueError");
        assertThat(error.message()).isEqualTo("broke after 10 items");
        assertThat(error.traceback()).contains("fail_after").contains("streammod");
        assertThat(stream.isClosed()).isTrue();
        assertThat(py.stats().streamsOpen()).isZero();
    }

    @Test
    void streamAndCalls_shareOneContext() {
        // Given a stream open in the member's only context
        try (PyStream stream = py.stream(PyCall.of("streammod", "count", "shared-context", 100), 10)) {
            stream.next();

            // When ordinary calls run between its pulls
            for (int i = 0; i < 5; i++) {
                assertThat(py.call("testmod", "echo", i)).isEqualTo((long) i);
                for (int k = 0; k < 10; k++) {
                    stream.next();
                }
            }

            // Then both were served by it: the calls see the generator's own state
            assertThat(positionOf("shared-context")).isEqualTo(60);
        }
    }

    @Test
    void openStream_holdsAPermitUntilItEnds() {
        // Given a limit of one Python call at a time
        py.semaphore().setMaxConcurrent(1);

        // When a stream is open
        PyStream stream = py.stream(PyCall.of("streammod", "endless", "permit"));
        stream.next();

        // Then a call is refused while it is open, and accepted after it is closed
        assertThat(py.semaphore().current()).isEqualTo(1);
        assertThatThrownBy(() -> py.call("testmod", "echo", 1)).isInstanceOf(OverloadedException.class);
        assertThatThrownBy(() -> py.stream(PyCall.of("streammod", "endless", "permit-2"))).isInstanceOf(OverloadedException.class);
        stream.close();
        assertThat(py.call("testmod", "echo", 1)).isEqualTo(1L);
    }

    @Test
    void publisher_requestOneAtATime_getsEveryItemWithTheGeneratorAtMostABatchAhead() throws Exception {
        // Given a stream of 200 items in batches of 16, and a subscriber asking for one item at a time
        int batch = 16;
        List<Object> items = new CopyOnWriteArrayList<>();
        List<Long> lead = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();

        // When it subscribes
        py.stream(PyCall.of("streammod", "count", "publisher", 200), batch).publisher().subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(Object item) {
                items.add(item);
                if (items.size() % 50 == 1) {
                    lead.add(positionOf("publisher") - items.size());
                }
                subscription.request(1);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        done.get(60, TimeUnit.SECONDS);

        // Then all 200 came in order, the generator never more than one batch ahead
        assertThat(items).isEqualTo(LongStream.range(0, 200).boxed().collect(Collectors.toList()));
        assertThat(lead).isNotEmpty().allSatisfy(l -> assertThat(l).isBetween(0L, (long) batch - 1));
        assertThat(py.stats().streamsOpen()).isZero();
    }

    @Test
    void javaStream_closesTheGeneratorWhenClosed() {
        // Given an endless generator as a java.util.stream.Stream
        List<Object> five;
        try (java.util.stream.Stream<Object> s = py.stream(PyCall.of("streammod", "endless", "java-stream"), 4).stream()) {
            // When five items are taken
            five = s.limit(5).collect(Collectors.toList());
        }

        // Then closing the Stream ran the generator's finally
        assertThat(five).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(finalsOf("java-stream")).isEqualTo(1);
    }

    @Test
    void pullPastTheCallTimeout_failsWithPyTimeoutAndEndsTheStream() {
        // Given a generator that spins after 3 items, with a call timeout of 500 ms
        PyStream stream = py.stream(PyCall.of("streammod", "spin_after", 3).timeout(Duration.ofMillis(500)), 3);
        assertThat(List.of(stream.next(), stream.next(), stream.next())).containsExactly(0L, 1L, 2L);

        // When the next pull reaches the spin
        // Then it fails with PyTimeoutException, and the stream has ended with its permit back
        assertThatThrownBy(stream::hasNext).isInstanceOf(PyTimeoutException.class);
        assertThat(stream.isClosed()).isTrue();
        assertThat(py.stats().streamsOpen()).isZero();
        assertThat(py.call("testmod", "echo", "still serving")).isEqualTo("still serving");
    }

    @Test
    void anyIterable_andAsyncGenerators_stream() {
        // Given a function returning a list, and an async generator
        // When they are streamed
        List<Object> listed = new ArrayList<>();
        py.stream(PyCall.of("streammod", "listing")).forEachRemaining(listed::add);
        List<Object> async = new ArrayList<>();
        py.stream(PyCall.of("streammod", "async_count", 5), 2).forEachRemaining(async::add);

        // Then their items come, None as null
        assertThat(listed).containsExactly(1L, null, "three");
        assertThat(async).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void anAsyncGeneratorThatAwaits_streamsItsItems_fromTheEventLoop() {
        // Given an async generator that suspends (asyncio.sleep) before each item
        // When it is streamed in batches of 3
        List<Object> items = new ArrayList<>();
        py.stream(PyCall.of("streammod", "async_ticks", 7), 3).forEachRemaining(items::add);

        // Then every item comes, in order: each batch ran as a Task on its context's event loop
        assertThat(items).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(py.stats().streamsOpen()).isZero();
    }

    @Test
    void asyncGeneratorClosedEarly_runsItsFinallyOnce() {
        // Given an endless async generator read in part
        PyStream stream = py.stream(PyCall.of("streammod", "async_endless", "async-closed"), 4);
        assertThat(List.of(stream.next(), stream.next())).containsExactly(0L, 1L);

        // When it is closed
        stream.close();

        // Then its finally ran once (aclose() driven in its context)
        assertThat(finalsOf("async-closed")).isEqualTo(1);
    }

    @Test
    void notIterable_failsAtOpenWithATypeErrorAndHoldsNoPermit() {
        // When a function that returns an int is streamed
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.stream(PyCall.of("streammod", "not_iterable")));

        // Then the open fails as a Python TypeError that says why
        assertThat(e).isNotNull();
        assertThat(e.pythonType()).isEqualTo("TypeError");
        assertThat(e.message()).contains("not iterable").contains("streammod.not_iterable()");
        assertThat(py.stats().streamsOpen()).isZero();
        assertThat(py.semaphore().current()).isZero();
    }

    @Test
    void openStreams_areCountedByStatsAndTheirMeter() {
        // Given the member's meters
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        org.hzpy.metrics.HzpyMetrics.of(py).bindTo(registry);
        double pullsBefore = registry.find("hzpy.stream.pulls").functionCounter().count();

        // When two streams are open, then one is closed
        PyStream first = py.stream(PyCall.of("streammod", "endless", "meter-1"));
        PyStream second = py.stream(PyCall.of("streammod", "endless", "meter-2"));
        first.next();
        second.next();
        assertThat(py.stats().streamsOpen()).isEqualTo(2);
        assertThat(registry.find("hzpy.streams.open").gauge().value()).isEqualTo(2);
        first.close();

        // Then stats and the gauge say one, and the pulls were counted
        assertThat(py.stats().streamsOpen()).isEqualTo(1);
        assertThat(registry.find("hzpy.streams.open").gauge().value()).isEqualTo(1);
        assertThat(registry.find("hzpy.stream.pulls").functionCounter().count() - pullsBefore).isGreaterThanOrEqualTo(2);
        second.close();
        assertThat(registry.find("hzpy.streams.open").gauge().value()).isZero();
    }

    @Test
    void everyPull_entersTheContextTheStreamStartedIn() throws Exception {
        // Given a member with two contexts, and a stream started in context 1 while both are free
        Py two = TestMembers.py(TestMembers.isolated());
        PyStream stream = TestMembers.inContext(two, 1, () -> two.stream(PyCall.of("streammod", "count", "two-contexts", 500), 10));

        // When it is read to the end, and at item 250 (a batch boundary) context 1 is busy with a call
        // of 0.5 s while context 0 is free
        List<Object> items = new ArrayList<>();
        CompletableFuture<Object> holder = null;
        while (stream.hasNext()) {
            items.add(stream.next());
            if (items.size() == 250) {
                holder = CompletableFuture.supplyAsync(() -> TestMembers.inContext(two, 1,
                        () -> two.call("testmod", "sleep_then", 0.5, "held")), java.util.concurrent.Executors.newSingleThreadExecutor());
                org.hzpy.support.Await.until(Duration.ofSeconds(10), "the holding call admitted", () -> two.semaphore().current() >= 2);
            }
        }
        assertThat(holder).isNotNull();
        assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo("held");

        // Then every item came from the generator in context 1; context 0 never saw it
        assertThat(items).hasSize(500);
        assertThat(TestMembers.inContext(two, 1, () -> two.call("streammod", "position_of", "two-contexts"))).isEqualTo(500L);
        assertThat(TestMembers.inContext(two, 0, () -> two.call("streammod", "position_of", "two-contexts"))).isEqualTo(0L);
    }

    @Test
    void sharedMode_streams() {
        // Given the SHARED-mode member
        Py shared = TestMembers.py(TestMembers.sharedMode());

        // When a stream is read there, with a call between its pulls
        List<Object> items = new ArrayList<>();
        try (PyStream stream = shared.stream(PyCall.of("streammod", "count", "shared-mode", 50), 8)) {
            items.add(stream.next());
            assertThat(shared.call("streammod", "position_of", "shared-mode")).isEqualTo(8L);
            stream.forEachRemaining(items::add);
        }

        // Then every item came
        assertThat(items).isEqualTo(LongStream.range(0, 50).boxed().collect(Collectors.toList()));
        assertThat(shared.stats().streamsOpen()).isZero();
    }
}
