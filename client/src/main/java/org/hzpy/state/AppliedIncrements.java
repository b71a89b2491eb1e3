package org.hzpy.state;

import com.hazelcast.core.HazelcastInstance;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state increments a member has applied lately, as primary or as backup, by operation id, with
 * the answer each gave: Hazelcast re-sends an entry operation whose partition owner died before
 * answering, and the member that takes the partition over has applied it already as backup. Keeps
 * the newest {@value #CAPACITY} ids (16 stripes, oldest forgotten first): a re-send arrives within
 * the seconds a partition takes to change hands, while increments on other partitions go on (full,
 * the table takes about 12 MB: an entry, its id and its answer are ~90 bytes). One
 * per member, in its user context; thread-safe (each stripe under its own lock, held for a map
 * look-up).
 */
final class AppliedIncrements {
    static final int CAPACITY = 1 << 17;
    private static final String USER_CONTEXT_KEY = "org.hzpy.state.appliedIncrements";
    private static final int STRIPES = 16;
    private final Stripe[] stripes = new Stripe[STRIPES];

    AppliedIncrements() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe(CAPACITY / STRIPES);
        }
    }

    /** The member's record (made on first use, so any member applies increments once, plugin or not). */
    static AppliedIncrements of(HazelcastInstance member) {
        return (AppliedIncrements) member.getUserContext().computeIfAbsent(USER_CONTEXT_KEY, k -> new AppliedIncrements());
    }

    /** What increment {@code id} answered when this member applied it, or null if it has not (or forgot). */
    Long answerOf(Id id) {
        Stripe s = stripeOf(id);
        synchronized (s) {
            return s.get(id);
        }
    }

    void record(Id id, long answer) {
        Stripe s = stripeOf(id);
        synchronized (s) {
            s.put(id, answer);
        }
    }

    private Stripe stripeOf(Id id) {
        return stripes[(int) ((id.sequence() ^ id.process()) & (STRIPES - 1))];
    }

    /** An increment's id: its caller's random process id and a sequence number in that process. */
    record Id(long process, long sequence) {
    }

    private static final class Stripe extends LinkedHashMap<Id, Long> {
        private final int capacity;

        Stripe(int capacity) {
            super(capacity * 4 / 3 + 1);
            this.capacity = capacity;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<Id, Long> eldest) {
            return size() > capacity;
        }
    }
}
