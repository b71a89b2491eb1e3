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
 * {@link PyModuleInfo}s as they travel from a member to a client ({@link ModulesTask}'s list): plain
 * lists, maps, strings and numbers, which Hazelcast serializes itself. Stateless.
 */
final class ModuleInfos {
    private ModuleInfos() {
    }

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
