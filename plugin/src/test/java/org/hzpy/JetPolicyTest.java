package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.test.TestSources;
import org.hzpy.jet.PyStageConfig;
import org.hzpy.jet.PyTransforms;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A Jet job's Python stages pass the members' remote policy when the job starts, as a client's
 * call would (the 2-member test cluster: hzpy.remote-modules at its default, module-path).
 */
@ExtendWith(Invariants.class)
class JetPolicyTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();

    @TempDir
    Path tmp;

    private CompletionException failureOf(PyStageConfig stage, JobConfig jobConfig) {
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(List.of(1L, 2L, 3L)))
                .apply(PyTransforms.<Long, Object>mapUsingPythonBatch(stage))
                .writeTo(Sinks.noop());
        return catchThrowableOfType(CompletionException.class, () -> a.getJet().newJob(p, jobConfig).join());
    }

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({"builtins, list", "_hzpy_internal, make_list", "os, listdir", "importlib, import_module",
            "jetmod, __init__", "jetmod, getattr"})
    void aStageCallingWhatNoClientMayCall_failsTheJobAtStart_sayingNoSettingAllowsIt(String module, String function) {
        CompletionException e = failureOf(PyStageConfig.of(module, function), new JobConfig());

        assertThat(e).as("the job must not run").isNotNull();
        assertThat(e.getMessage()).contains("Python stage " + module + "." + function + "() refused by the member",
                "PySandboxException", "cannot be called from outside the member", "no setting allows it");
    }

    @Test
    void aStageCallingAModuleTheMembersDoNotOffer_failsTheJobAtStart_namingTheSettingThatWouldAllowIt() {
        CompletionException e = failureOf(PyStageConfig.of("json", "dumps"), new JobConfig());

        assertThat(e).as("the job must not run").isNotNull();
        assertThat(e.getMessage()).contains("Python stage json.dumps() refused by the member", "PySandboxException",
                "hzpy.remote-modules is module-path; add json to it");
    }

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({"os, tag", "_hzpy_mine, tag", "handlers, eval", "handlers, __class__"})
    void aJobsOwnModule_mayNeitherTakeAnInternalModulesNameNorNameACodeRunningFunction(String module, String function)
            throws IOException {
        // Given a job that ships its handlers (a module of every name the stage could ask for)
        Path dir = Files.createDirectories(tmp.resolve("py"));
        for (String name : List.of("handlers", "os", "_hzpy_mine")) {
            Files.writeString(dir.resolve(name + ".py"), "def tag(items):\n    return items\n");
        }

        CompletionException e = failureOf(PyStageConfig.of(module, function).attachedDirectory("py"),
                new JobConfig().attachDirectory(dir.toString(), "py"));

        assertThat(e).as("the job must not run").isNotNull();
        assertThat(e.getMessage()).contains("Python stage " + module + "." + function + "() refused by the member",
                "PySandboxException", "no setting allows it");
    }

    @Test
    void aJobsOwnModule_isAllowedWhereTheModulePathWouldNotBe() throws IOException {
        // Given a handler module that is not on the members' module path, shipped with the job
        Path dir = Files.createDirectories(tmp.resolve("py"));
        Files.writeString(dir.resolve("shipped.py"), "def tag(items):\n    return ['shipped:' + str(x) for x in items]\n");
        String sink = "jet-out-" + java.util.UUID.randomUUID();
        Pipeline p = Pipeline.create();
        p.readFrom(TestSources.items(List.of(1L, 2L, 3L)))
                .apply(PyTransforms.<Long, String>mapUsingPythonBatch(PyStageConfig.of("shipped", "tag").attachedDirectory("py")))
                .writeTo(Sinks.list(sink));

        a.getJet().newJob(p, new JobConfig().attachDirectory(dir.toString(), "py")).join();

        assertThat(a.<String>getList(sink)).containsExactlyInAnyOrder("shipped:1", "shipped:2", "shipped:3");
    }
}
