package org.hzpy.cluster;

import org.hzpy.PyModuleInfo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The values {@link ClusterDeployments} keeps in {@value ClusterDeployments#MAP} — a deployment's
 * pointer and each kept version's description, signed under the cluster's secret — and
 * {@link PyModuleInfo} as plain values for a client. Read from what anyone may have written: a value
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
    static List<Object> toWire(List<PyModuleInfo> infos) {
        List<Object> out = new ArrayList<>();
        for (PyModuleInfo i : infos) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", i.name());
            m.put("version", i.version());
            m.put("size", i.sizeBytes());
            m.put("modules", new ArrayList<>(new TreeSet<>(i.modules())));
            m.put("by", i.deployedBy());
            m.put("at", i.deployedAt().toEpochMilli());
            m.put("versions", new ArrayList<>(i.versions()));
            m.put("loadedBy", new ArrayList<>(i.loadedBy()));
            out.add(m);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<PyModuleInfo> fromWire(Object value) {
        List<PyModuleInfo> out = new ArrayList<>();
        for (Object o : (List<Object>) value) {
            Map<String, Object> m = (Map<String, Object>) o;
            List<Long> versions = new ArrayList<>();
            for (Object v : (List<Object>) m.get("versions")) {
                versions.add(((Number) v).longValue());
            }
            out.add(new PyModuleInfo((String) m.get("name"), ((Number) m.get("version")).longValue(),
                    ((Number) m.get("size")).longValue(), Set.copyOf((List<String>) m.get("modules")), (String) m.get("by"),
                    Instant.ofEpochMilli(((Number) m.get("at")).longValue()), versions, (List<String>) m.get("loadedBy")));
        }
        return out;
    }
}
