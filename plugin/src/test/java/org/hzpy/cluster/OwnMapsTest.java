package org.hzpy.cluster;

import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** hzpy's own maps keep their entries whatever the member's {@code map: default} says. */
class OwnMapsTest {
    @Test
    void aDefaultMapConfigWithExpiry_expiresNothingOfHzpys() throws InterruptedException {
        // Given a member whose map: default expires entries after a second, with a cluster-wide limit
        HazelcastInstance member = TestMembers.startOwn("expiring-default");
        try {
            Py py = TestMembers.py(member);
            py.exec("own_maps_defined = 'kept'");

            // When more than the default's time-to-live and max-idle have passed
            Thread.sleep(Duration.ofSeconds(3).toMillis()); // the behaviour under test is expiry itself

            // Then the exec log, the cluster limit and the cluster info are all still there
            assertThat(member.getMap(ClusterExecLog.MAP).size()).isEqualTo(1);
            assertThat(member.getMap("hzpy.cluster-info").get("state-map")).isEqualTo("hzpy.state");
            assertThat(py.clusterSemaphore().maxConcurrent()).isEqualTo(4);
            assertThat(py.eval("own_maps_defined")).isEqualTo("kept");
            assertThat(member.getConfig().findMapConfig(ClusterExecLog.MAP).getBackupCount()).isGreaterThanOrEqualTo(1);
        } finally {
            member.shutdown();
        }
    }

    @Test
    void hzpysOwnMaps_keepTheClustersEntriesWhenAnotherSideMergesIn() {
        // Given a member that configured hzpy's own maps
        HazelcastInstance member = TestMembers.isolated();

        // Then a split-brain merge discards the merging side's entries of them (signed under its own secret)
        for (String map : java.util.List.of(ClusterExecLog.MAP, ClusterDeployments.MAP, ClusterDeployments.FILES_MAP,
                LimitStore.NAME, MemberLoad.MAP)) {
            assertThat(member.getConfig().findMapConfig(map).getMergePolicyConfig().getPolicy()).as(map)
                    .isEqualTo(com.hazelcast.spi.merge.DiscardMergePolicy.class.getName());
        }
    }

    @Test
    void aConfigThatGivesHzpysOwnMapATimeToLive_isRefusedAtStart() {
        assertThatThrownBy(() -> TestMembers.startOwn("expiring-own-map"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("hzpy.exec-log")
                .hasMessageContaining("time-to-live-seconds 60");
    }
}
