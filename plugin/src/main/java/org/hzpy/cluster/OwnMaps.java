package org.hzpy.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.MapConfig;
import com.hazelcast.internal.dynamicconfig.DynamicConfigurationAwareConfig;
import com.hazelcast.spi.merge.DiscardMergePolicy;

import java.util.ArrayList;
import java.util.List;

/**
 * hzpy's own IMaps (exec log, cluster limit, cluster info, member load) must never lose an entry
 * to expiry or eviction, and must survive the loss of a member: with a TTL in {@code map: default}
 * (common in real configurations) the exec log would forget definitions and the cluster limit its
 * own state. hzpy therefore configures them itself, whatever the default says: no TTL, no max-idle,
 * no eviction, at least one backup. A configuration that names one of them explicitly with expiry
 * or eviction is refused with one message.
 *
 * <p>After a split-brain, the cluster that another merges into keeps its own entries of these maps
 * and the merging side's are discarded ({@link DiscardMergePolicy}; Hazelcast's default,
 * put-if-absent, would add the merging side's entries under keys the cluster lacks). Those entries
 * are signed under the merging side's secret and numbered in its own sequence: in the merged
 * cluster they would not verify, and the exec log's numbers would clash. The merging members take
 * what they must keep from their own memory instead ({@code SplitBrainMerge}).
 */
final class OwnMaps {
    private OwnMaps() {
    }

    /**
     * Adds the maps' configuration to the member's static configuration: called while the member
     * starts, before any of them exists (a dynamic configuration change cannot be made yet then).
     */
    static void configure(Config memberConfig, List<String> names) {
        Config config = memberConfig instanceof DynamicConfigurationAwareConfig dynamic ? dynamic.getStaticConfig() : memberConfig;
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            MapConfig explicit = config.getMapConfigs().get(name);
            if (explicit != null) {
                if (explicit.getTimeToLiveSeconds() > 0 || explicit.getMaxIdleSeconds() > 0
                        || explicit.getEvictionConfig().getEvictionPolicy() != EvictionPolicy.NONE) {
                    problems.add(name + " (time-to-live-seconds " + explicit.getTimeToLiveSeconds() + ", max-idle-seconds "
                            + explicit.getMaxIdleSeconds() + ", eviction " + explicit.getEvictionConfig().getEvictionPolicy() + ")");
                }
                continue;
            }
            MapConfig own = new MapConfig(name);
            own.setTimeToLiveSeconds(0);
            own.setMaxIdleSeconds(0);
            own.getEvictionConfig().setEvictionPolicy(EvictionPolicy.NONE);
            own.setBackupCount(Math.max(1, config.findMapConfig("default").getBackupCount()));
            own.getMergePolicyConfig().setPolicy(DiscardMergePolicy.class.getName());
            config.addMapConfig(own);
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("hzpy keeps its own maps without expiry or eviction, but this"
                    + " configuration sets them for " + String.join(", ", problems) + ": remove those map entries from"
                    + " hazelcast.yaml (hzpy configures its maps itself)");
        }
    }
}
