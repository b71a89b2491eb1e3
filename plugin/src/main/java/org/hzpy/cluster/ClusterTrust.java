package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A secret only the members of this cluster hold: records that members write where clients can
 * write too (the exec log's IMap) carry an HMAC under it, and a member acts only on records that
 * verify. The cluster's oldest member makes it; every other member asks for it when it joins,
 * oldest first, through a member-only operation ({@link TrustSecretRequest}), so no client can read
 * or forge it. When Hazelcast merges the member into another cluster after a split-brain, it
 * {@link #forget forgets} its secret (it signs and verifies nothing while it merges) and then
 * {@link #start takes} the merged cluster's like a joiner. Thread-safe.
 */
final class ClusterTrust {
    private static final ILogger LOGGER = Logger.getLogger(ClusterTrust.class);
    private static final String HMAC = "HmacSHA256";
    private static final int SECRET_BYTES = 32;
    private static final Duration ASK_WAIT = Duration.ofSeconds(5);

    private final HazelcastInstance member;
    private volatile byte[] secret;
    /** Between {@link #forget} and the next {@link #start}: the member list is not the merged cluster's yet, so make no secret. */
    private boolean merging;

    ClusterTrust(HazelcastInstance member) {
        this.member = member;
    }

    /**
     * Once the member has joined: takes the secret from the oldest member that has one, or makes it
     * when this member is the oldest. Gives up after {@code bound} (then makes its own and says so:
     * records of the members it could not reach will not verify here).
     */
    void start(Duration bound) {
        synchronized (this) {
            merging = false;
        }
        long deadline = System.nanoTime() + bound.toNanos();
        while (secret == null) {
            if (isOldest()) { // alone, too
                secretForRequest();
                break;
            }
            for (Member m : member.getCluster().getMembers()) {
                if (m.localMember() || secret != null) {
                    continue;
                }
                try {
                    byte[] s = MemberOps.<byte[]>invoke(member, new TrustSecretRequest(), m)
                            .get(ASK_WAIT.toNanos(), TimeUnit.NANOSECONDS);
                    if (s != null && s.length == SECRET_BYTES) {
                        adopt(s);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    LOGGER.fine("hzpy: " + m + " did not give the cluster's secret: " + e);
                }
            }
            if (secret == null && System.nanoTime() > deadline) {
                LOGGER.warning("hzpy: no member gave this one the cluster's secret within " + bound.toSeconds()
                        + " s; it makes its own, and exec log entries of the others will not verify here");
                makeOwn(); // not secretForRequest(): that makes one only on the oldest member, and this loop would never end
            } else if (secret == null) {
                sleep();
            }
        }
    }

    private synchronized void adopt(byte[] s) {
        if (secret == null) {
            secret = s.clone();
        }
    }

    /** The secret as a member asking for it gets it: made here if this is the oldest member and none exists yet. */
    synchronized byte[] secretForRequest() {
        if (secret == null && !merging && isOldest()) {
            makeOwn();
        }
        return secret;
    }

    private synchronized void makeOwn() {
        if (secret == null) {
            byte[] s = new byte[SECRET_BYTES];
            new SecureRandom().nextBytes(s);
            secret = s;
        }
    }

    /**
     * The member is merging into another cluster (Hazelcast's {@code MERGING}): its secret is its former
     * cluster's, so from now on it signs nothing, nothing verifies here and askers get nothing, until
     * {@link #start} takes the merged cluster's secret. A moment's work.
     */
    synchronized void forget() {
        merging = true;
        secret = null;
    }

    boolean ready() {
        return secret != null;
    }

    /** The HMAC of {@code parts} (joined unambiguously), Base64; null before the member has the secret. */
    String sign(String... parts) {
        byte[] s = secret;
        if (s == null) {
            return null;
        }
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(s, HMAC));
            for (String p : parts) {
                byte[] bytes = p.getBytes(StandardCharsets.UTF_8);
                mac.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
                mac.update(bytes);
            }
            return Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + HMAC, e);
        }
    }

    /** Whether {@code signature} is {@link #sign} of {@code parts} here (in constant time). */
    boolean verify(String signature, String... parts) {
        String expected = sign(parts);
        return expected != null && signature != null
                && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII));
    }

    private boolean isOldest() {
        for (Member m : member.getCluster().getMembers()) { // oldest first
            return m.localMember();
        }
        return true;
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
