package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A member that takes Jet jobs' code warms a job's per-context work up in the background ({@code hzpy.warmup-jobs}). */
class JobScopeWarmUpTest {
    private static final String SCOPES = "__import__('sys').modules['_hzpy_internal.scopes']";

    @Test
    void aMemberThatTakesJobCode_runsAJobsWorkInTheBackground_andKeepsNothingOfIt() {
        // Given a member with Jet, its resource upload and pre-warm on (one context, no modules to
        // warm up first, hzpy.warmup-jobs: 300)
        HazelcastInstance member = TestMembers.startOwn("job-warmup");
        try {
            Py py = TestMembers.py(member);

            // When its background work has had its idle moments
            Await.until(Duration.ofMinutes(2), "the warm-up of Jet jobs' work ran all its rounds",
                    () -> String.valueOf(py.eval(SCOPES + "._job_warm_up_rounds[0]"))
                            .equals(member.getConfig().getProperty("hzpy.warmup-jobs")));

            // Then its scope is closed, and the context holds nothing of those rounds: no live
            // scope, no module of one, the plain import statement again
            Await.until(Duration.ofSeconds(30), "the warm-up's scope is closed",
                    () -> ((Number) py.eval("len(" + SCOPES + "._scope_dirs)")).longValue() == 0);
            assertThat(py.eval("[n for n in __import__('sys').modules if n.startswith('_hzpy_scope_')]")).asList().isEmpty();
            assertThat(py.eval("__import__('builtins').__import__ is __import__('sys').modules['_hzpy_internal.imports'].original_import"))
                    .isEqualTo(true);
        } finally {
            member.shutdown();
        }
    }

    @Test
    void warmupJobs_defaultsTo3000_andZeroTurnsItOff() {
        assertThat(org.hzpy.HzpySettings.defaults().warmupJobs()).isEqualTo(3000);
        assertThat(warmupJobs("0").warmupJobs()).isZero();
    }

    @Test
    void warmupJobs_outOfRange_stopsTheMemberNamingTheKey() {
        assertThatThrownBy(() -> warmupJobs("-1")).isInstanceOf(com.hazelcast.config.InvalidConfigurationException.class)
                .hasMessageContaining("hzpy.warmup-jobs").hasMessageContaining("0 to 100000");
        assertThatThrownBy(() -> warmupJobs("many")).isInstanceOf(com.hazelcast.config.InvalidConfigurationException.class)
                .hasMessageContaining("hzpy.warmup-jobs");
    }

    private static org.hzpy.HzpySettings warmupJobs(String value) {
        Properties p = new Properties();
        p.setProperty("hzpy.warmup-jobs", value);
        return org.hzpy.HzpySettings.fromProperties(p);
    }
}
