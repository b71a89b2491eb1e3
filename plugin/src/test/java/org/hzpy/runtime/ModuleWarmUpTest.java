package org.hzpy.runtime;

import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.HzpySettings;
import org.hzpy.Py;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** hzpy.warmup-modules: the modules each context imports and exercises in idle moments after its warm-up. */
class ModuleWarmUpTest {
    /** Generous: on a loaded 2-core machine two contexts took minutes to start. */
    private static final Duration WARM_UP_BOUND = Duration.ofMinutes(6);

    @Test
    void configuredModules_areImportedInEveryContext_andOneThatCannotBeImportedIsSkipped() {
        // Given a member with two contexts whose hzpy.warmup-modules lists a module that does not
        // exist first, then two modules nothing else imports
        HazelcastInstance member = TestMembers.startOwn("warmup-modules-a");
        try {
            Py py = ready(member, 2);

            // When the background warm-up has ended in every context
            for (int i = 0; i < 2; i++) {
                int index = i;
                Await.until(WARM_UP_BOUND, "the background warm-up ended in context " + i,
                        () -> Boolean.TRUE.equals(TestMembers.inContext(py, index,
                                () -> py.call("_hzpy_internal", "warmup_settled"))));
            }

            // Then each context has imported the two modules (the missing one did not stop the rest)
            for (int i = 0; i < 2; i++) {
                int index = i;
                assertThat(TestMembers.inContext(py, index, () -> py.eval(
                        "[m for m in ('colorsys', 'difflib') if m in __import__('sys').modules]")))
                        .as("modules imported in context " + i).isEqualTo(List.of("colorsys", "difflib"));
            }
            // and the member serves calls as ever
            assertThat(py.eval("1 + 1")).isEqualTo(2L);
        } finally {
            member.shutdown();
        }
    }

    @Test
    void none_warmsUpNoModule() {
        // Given a member with pre-warm on and hzpy.warmup-modules: none
        HazelcastInstance member = TestMembers.startOwn("warmup-modules-b");
        try {
            Py py = ready(member, 1);

            // When its background warm-up has ended
            Await.until(WARM_UP_BOUND, "the background warm-up ended",
                    () -> Boolean.TRUE.equals(py.call("_hzpy_internal", "warmup_settled")));

            // Then no module of the default list that nothing else loads was imported
            assertThat(py.eval("[m for m in ('statistics', 'fractions', 'dataclasses') if m in __import__('sys').modules]"))
                    .isEqualTo(List.of());
        } finally {
            member.shutdown();
        }
    }

    private static Py ready(HazelcastInstance member, int contexts) {
        Py py = Py.on(member);
        assertThat(py.awaitReady(contexts, WARM_UP_BOUND)).as("contexts started and warmed up").isTrue();
        return py;
    }

    @Test
    void defaultSetting_isTheEverydayModules() {
        assertThat(HzpySettings.defaults().warmupModules()).startsWith("builtins", "json", "re", "datetime")
                .contains("collections", "dataclasses", "typing", "decimal", "itertools", "functools");
    }

    @Test
    void aListOfNames_isTakenInOrder_withoutDuplicates() {
        Properties p = new Properties();
        p.setProperty("hzpy.warmup-modules", " json, mylib.util ,json");

        assertThat(HzpySettings.fromProperties(p).warmupModules()).containsExactly("json", "mylib.util");
    }

    @Test
    void none_isAnEmptyList() {
        Properties p = new Properties();
        p.setProperty("hzpy.warmup-modules", "none");

        assertThat(HzpySettings.fromProperties(p).warmupModules()).isEmpty();
    }

    @Test
    void aNameThatIsNoModuleName_stopsTheMemberWithOneMessageNamingKeyAndValue() {
        Properties p = new Properties();
        p.setProperty("hzpy.warmup-modules", "json, 3d-plot");

        assertThatThrownBy(() -> HzpySettings.fromProperties(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("hzpy.warmup-modules = 'json, 3d-plot' is invalid (not a module name: 3d-plot)")
                .hasMessageContaining("allowed: default, none, or comma-separated module names");
    }

    @Test
    void anEmptyEntry_isRejected() {
        Properties p = new Properties();
        p.setProperty("hzpy.warmup-modules", "json,,re");

        assertThatThrownBy(() -> HzpySettings.fromProperties(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("hzpy.warmup-modules").hasMessageContaining("an empty module name");
    }
}
