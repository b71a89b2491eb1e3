package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event loop's timer wake-ups on a busy machine: a coroutine that suspends on timers many times
 * is woken every time, also when the timer thread is preempted between asking for a tick and
 * finishing (the tick then asks for the next wake-up while that timer still looks pending).
 */
class AsyncWakeUpTest {
    @Test
    void aCoroutineSleeping2000Times_isWokenEveryTime_whileTheCoresAreBusy() throws Exception {
        HazelcastInstance member = TestMembers.startOwn("asyncio");
        try {
            run(TestMembers.py(member));
        } finally {
            member.shutdown();
        }
    }

    private static void run(Py py) throws Exception {
        // Given the cores kept busy by spinning threads (so the loop's timer thread is often preempted)
        AtomicBoolean spin = new AtomicBoolean(true);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (spin.get()) {
                    x += System.nanoTime() & 1;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }, "spinner-" + i);
            t.setDaemon(true);
            t.start();
            spinners.add(t);
        }
        try {
            // When a coroutine awaits asyncio.sleep(0.001) 2,000 times (about 2-10 s of timers)
            Object done = py.call(PyCall.of("aiomod", "many_sleeps", 2000, 0.001).timeout(Duration.ofMinutes(2)));

            // Then it ends: no wake-up was lost (a lost one leaves it waiting until its timeout)
            assertThat(done).isEqualTo(2000L);
        } finally {
            spin.set(false);
            for (Thread t : spinners) {
                t.join(5_000);
            }
        }
    }
}
