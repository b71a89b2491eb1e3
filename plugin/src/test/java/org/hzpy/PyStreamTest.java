package org.hzpy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PyStream over a plain Java source: no member, no Python. */
class PyStreamTest {
    private static final Duration PULL_TIMEOUT = Duration.ofSeconds(5);

    /** Items 0..size-1 (null where {@code nulls} says), failing after {@code failAfter} items (-1: never). */
    private static final class CountingSource implements PyStream.Source {
        final int size;
        final int failAfter;
        final List<Integer> nulls;
        final AtomicInteger pulls = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        int position;

        CountingSource(int size, int failAfter, Integer... nulls) {
            this.size = size;
            this.failAfter = failAfter;
            this.nulls = Arrays.asList(nulls);
        }

        @Override
        public CompletionStage<PyStream.Batch> next(int max) {
            pulls.incrementAndGet();
            if (failAfter >= 0 && position >= failAfter) {
                return CompletableFuture.failedFuture(new PythonException("ValueError", "broke", "Traceback: broke"));
            }
            List<Object> items = new ArrayList<>();
            int end = failAfter >= 0 ? Math.min(size, failAfter) : size;
            while (items.size() < max && position < end) {
                items.add(nulls.contains(position) ? null : position);
                position++;
            }
            return CompletableFuture.completedFuture(new PyStream.Batch(items, position >= size));
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }

        @Override
        public String describe() {
            return "counting source";
        }
    }

    @Test
    void iterator_pullsOnlyWhenItsBufferIsEmpty() {
        // Given a stream of 10 items in batches of 4
        CountingSource source = new CountingSource(10, -1);
        PyStream stream = PyStream.over(source, 4, PULL_TIMEOUT);

        // When the consumer takes the first item, then the rest of that batch
        assertThat(source.pulls.get()).isZero();
        assertThat(stream.next()).isEqualTo(0);
        assertThat(source.pulls.get()).isEqualTo(1);
        stream.next();
        stream.next();
        stream.next();

        // Then the source saw one pull for them, and the second only when the fifth item is asked for
        assertThat(source.pulls.get()).isEqualTo(1);
        assertThat(stream.next()).isEqualTo(4);
        assertThat(source.pulls.get()).isEqualTo(2);
    }

    @Test
    void noneItems_arriveAsNulls() {
        // Given a source whose items 0 and 2 are Python's None
        PyStream stream = PyStream.over(new CountingSource(3, -1, 0, 2), 64, PULL_TIMEOUT);

        // When it is read to the end
        List<Object> items = new ArrayList<>();
        stream.forEachRemaining(items::add);

        // Then the Nones are nulls, in place
        assertThat(items).containsExactly(null, 1, null);
    }

    @Test
    void errorAfterItems_deliversThoseItemsThenTheTypedException() {
        // Given a source that fails after 3 items
        PyStream stream = PyStream.over(new CountingSource(100, 3), 2, PULL_TIMEOUT);

        // When it is read
        List<Object> items = new ArrayList<>();
        items.add(stream.next());
        items.add(stream.next());
        items.add(stream.next());

        // Then the 3 items came, and the next pull raises the Python error; the stream has ended
        assertThat(items).containsExactly(0, 1, 2);
        assertThatThrownBy(stream::hasNext).isInstanceOf(PythonException.class).hasMessageContaining("broke");
        assertThat(stream.isClosed()).isTrue();
        assertThat(stream.hasNext()).isFalse();
    }

    @Test
    void close_closesTheSourceOnce() {
        // Given a stream read in part
        CountingSource source = new CountingSource(100, -1);
        PyStream stream = PyStream.over(source, 8, PULL_TIMEOUT);
        stream.next();

        // When it is closed twice
        stream.close();
        stream.close();

        // Then the source was closed once, and the stream reads as ended
        assertThat(source.closes.get()).isEqualTo(1);
        assertThat(stream.hasNext()).isFalse();
        assertThat(stream.isClosed()).isTrue();
    }

    @Test
    void exhaustedStream_isNotClosedAtTheSourceAgain() {
        // Given a stream read to its end
        CountingSource source = new CountingSource(3, -1);
        PyStream stream = PyStream.over(source, 8, PULL_TIMEOUT);
        stream.forEachRemaining(x -> { });

        // When it is closed
        stream.close();

        // Then the source, which ended by itself, is not asked to close
        assertThat(source.closes.get()).isZero();
    }

    @Test
    void javaStream_closesTheSourceWhenClosed() {
        // Given a java.util.stream.Stream over an endless source
        CountingSource source = new CountingSource(Integer.MAX_VALUE, -1);

        // When five items are taken and the stream is closed
        List<Object> five;
        try (java.util.stream.Stream<Object> s = PyStream.over(source, 4, PULL_TIMEOUT).stream()) {
            five = s.limit(5).collect(Collectors.toList());
        }

        // Then the source was pulled twice and closed once
        assertThat(five).containsExactly(0, 1, 2, 3, 4);
        assertThat(source.pulls.get()).isEqualTo(2);
        assertThat(source.closes.get()).isEqualTo(1);
    }

    @Test
    void publisher_requestOneAtATime_pullsABatchOnlyWhenItIsUsedUp() throws Exception {
        // Given a publisher over 10 items in batches of 4, and a subscriber that asks for one item at a time
        CountingSource source = new CountingSource(10, -1);
        List<Integer> pullsSeenAtEachItem = new CopyOnWriteArrayList<>();
        List<Object> items = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();

        // When it subscribes
        PyStream.over(source, 4, PULL_TIMEOUT).publisher().subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(Object item) {
                items.add(item);
                pullsSeenAtEachItem.add(source.pulls.get());
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
        done.get(10, TimeUnit.SECONDS);

        // Then every item came in order, and the source was pulled once per batch of 4
        assertThat(items).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(pullsSeenAtEachItem).containsExactly(1, 1, 1, 1, 2, 2, 2, 2, 3, 3);
        assertThat(source.closes.get()).isZero(); // it ended by itself
    }

    @Test
    void publisher_withoutDemand_pullsNothing() {
        // Given a subscriber that never requests
        CountingSource source = new CountingSource(10, -1);
        AtomicInteger received = new AtomicInteger();

        // When it subscribes
        PyStream.over(source, 4, PULL_TIMEOUT).publisher().subscribe(subscriber(s -> { }, received, new CompletableFuture<>()));

        // Then the generator never advanced
        assertThat(source.pulls.get()).isZero();
        assertThat(received.get()).isZero();
    }

    @Test
    void publisher_cancel_closesTheSource() {
        // Given a subscriber that takes 2 items and cancels
        CountingSource source = new CountingSource(Integer.MAX_VALUE, -1);
        AtomicInteger received = new AtomicInteger();
        Flow.Subscription[] held = new Flow.Subscription[1];
        PyStream.over(source, 4, PULL_TIMEOUT).publisher().subscribe(subscriber(s -> {
            held[0] = s;
            s.request(2);
        }, received, new CompletableFuture<>()));

        // When it cancels
        held[0].cancel();
        held[0].cancel();

        // Then the source was closed once, after the 2 items
        assertThat(received.get()).isEqualTo(2);
        assertThat(source.closes.get()).isEqualTo(1);
    }

    @Test
    void publisher_secondSubscriber_isRefused() throws Exception {
        // Given a publisher that has a subscriber
        PyStream stream = PyStream.over(new CountingSource(10, -1), 4, PULL_TIMEOUT);
        Flow.Publisher<Object> publisher = stream.publisher();
        publisher.subscribe(subscriber(s -> { }, new AtomicInteger(), new CompletableFuture<>()));

        // When a second one subscribes
        CompletableFuture<Void> second = new CompletableFuture<>();
        publisher.subscribe(subscriber(s -> { }, new AtomicInteger(), second));

        // Then it gets onError(IllegalStateException)
        assertThat(second).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withCauseInstanceOf(IllegalStateException.class).withMessageContaining("already has a consumer");
    }

    @Test
    void publisher_errorAfterItems_deliversThemThenOnError() throws Exception {
        // Given a source failing after 3 items
        AtomicInteger received = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();

        // When a subscriber asks for everything
        PyStream.over(new CountingSource(100, 3), 2, PULL_TIMEOUT).publisher()
                .subscribe(subscriber(s -> s.request(Long.MAX_VALUE), received, done));

        // Then 3 items came, then the Python error
        assertThat(done).failsWithin(Duration.ofSeconds(5)).withThrowableThat().withCauseInstanceOf(PythonException.class);
        assertThat(received.get()).isEqualTo(3);
    }

    private static Flow.Subscriber<Object> subscriber(java.util.function.Consumer<Flow.Subscription> onSubscribe,
                                                      AtomicInteger received, CompletableFuture<Void> done) {
        return new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                onSubscribe.accept(s);
            }

            @Override
            public void onNext(Object item) {
                received.incrementAndGet();
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        };
    }
}
