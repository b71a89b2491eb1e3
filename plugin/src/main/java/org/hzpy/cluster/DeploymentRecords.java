package org.hzpy.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * The values {@link ClusterDeployments} keeps in {@value ClusterDeployments#MAP} — a deployment's
 * pointer and each kept version's description, signed under the cluster's secret (the list a client
 * gets travels as {@link ModuleInfos}). Read from what anyone may have written: a value
 * of any other shape, or one that does not verify, reads as null. Stateless.
 */
final class DeploymentRecords {
    private DeploymentRecords() {
    }

    /** A deployment's pointer: what every member makes current. {@code current} 0: removed. */
    record Pointer(String name, long current, long highest, long seq, List<Long> kept) {
        List<Object> signed(ClusterTrust trust) {
            return new ArrayList<>(List.of(name, current, highest, seq, new ArrayList<>(kept), trust.sign(fields())));
        }

        String[] fields() {
            return new String[] {"pointer", name, Long.toString(current), Long.toString(highest), Long.toString(seq), kept.toString()};
        }

        /** The pointer of {@code name} if {@code value} is one a member signed; else null. */
        static Pointer read(String name, Object value, ClusterTrust trust) {
            if (!(value instanceof List<?> l) || l.size() != 6 || !name.equals(l.get(0)) || !(l.get(1) instanceof Long current)
                    || !(l.get(2) instanceof Long highest) || !(l.get(3) instanceof Long seq) || !(l.get(4) instanceof List<?> keptRaw)
                    || !(l.get(5) instanceof String mac)) {
                return null;
            }
            List<Long> kept = new ArrayList<>();
            for (Object v : keptRaw) {
                if (!(v instanceof Long n)) {
                    return null;
                }
                kept.add(n);
            }
            Pointer p = new Pointer(name, current, highest, seq, List.copyOf(kept));
            return trust.verify(mac, p.fields()) ? p : null;
        }
    }

    /** A kept version's description. */
    record Meta(String name, long version, long size, String digest, List<String> modules, String by, long atMillis) {
        List<Object> signed(ClusterTrust trust) {
            return new ArrayList<>(List.of(name, version, size, digest, new ArrayList<>(modules), by, atMillis, trust.sign(fields())));
        }

        String[] fields() {
            return new String[] {"meta", name, Long.toString(version), Long.toString(size), digest, String.join(",", modules),
                    by, Long.toString(atMillis)};
        }

        /** The description of {@code name}'s {@code version} if {@code value} is one a member signed; else null. */
        static Meta read(String name, long version, Object value, ClusterTrust trust) {
            if (!(value instanceof List<?> l) || l.size() != 8 || !name.equals(l.get(0)) || !(l.get(1) instanceof Long v)
                    || v != version || !(l.get(2) instanceof Long size) || !(l.get(3) instanceof String digest)
                    || !(l.get(4) instanceof List<?> modulesRaw) || !(l.get(5) instanceof String by) || !(l.get(6) instanceof Long at)
                    || !(l.get(7) instanceof String mac)) {
                return null;
            }
            List<String> modules = new ArrayList<>();
            for (Object o : modulesRaw) {
                if (!(o instanceof String s)) {
                    return null;
                }
                modules.add(s);
            }
            Meta meta = new Meta(name, version, size, digest, List.copyOf(modules), by, at);
            return trust.verify(mac, meta.fields()) ? meta : null;
        }
    }

    /** {@code PyModules.list()} as plain values, for a client. */
}
